"""The versioned JSON API under /api/v1/ (docs/api.md): a way in like the pages, calling
the same domain actions with the same rules and rate limits."""
