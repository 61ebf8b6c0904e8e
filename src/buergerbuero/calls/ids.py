"""Unguessable identifiers for everything a stranger could name in a URL or message."""

import secrets


def new_public_id() -> str:
    # 128 bits of randomness, URL-safe.
    return secrets.token_urlsafe(16)


def new_secret_token() -> str:
    # 256 bits: invitation links and other bearer tokens.
    return secrets.token_urlsafe(32)
