"""The one cleaning of every text a person types: names, topics, messages, chat."""


def clean_text(value: str, limit: int) -> str:
    """Collapse whitespace and control characters (NUL, bidi overrides such as U+202E,
    zero-width characters: whatever is not printable); the limit is checked by the caller."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())[:limit]
