"""The in-call chat: relayed to the room, never stored, cleaned like every other text."""

from buergerbuero.errors import TextRequired
from buergerbuero.text import clean_text

CHAT_MAX = 1000


def clean_chat(text: str) -> str:
    """The text as the room will read it; `TextRequired` when nothing readable is left
    (only control, zero-width or direction characters, or spaces)."""
    cleaned = clean_text(text, CHAT_MAX)
    if not cleaned:
        raise TextRequired()
    return cleaned
