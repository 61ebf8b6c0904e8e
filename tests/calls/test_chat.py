"""calls/chat.py: the chat's text is cleaned like every other text, and a text with nothing
readable left is refused."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buergerbuero.calls.chat import CHAT_MAX, clean_chat
from buergerbuero.errors import TextRequired


def test_clean_chat_keeps_readable_text_and_collapses_the_rest():
    assert clean_chat(" Guten\tTag,\n\x00 Frau\u202e Weber \u200b") == "Guten Tag, Frau Weber"


@pytest.mark.parametrize("text", ["", " ", "\u200b\ufeff\u200d", "\x00\x07", "\u202e\u2066"])
def test_clean_chat_of_nothing_readable_raises_text_required(text):
    with pytest.raises(TextRequired):
        clean_chat(text)


@given(text=st.text(max_size=CHAT_MAX))
def test_clean_chat_returns_only_printable_text_or_refuses(text):
    try:
        cleaned = clean_chat(text)
    except TextRequired:
        return
    assert cleaned and cleaned.isprintable() and cleaned == cleaned.strip()
