"""docs/websocket-protocol.md carries a message reference generated from the models; it
must say exactly what the code accepts and sends."""

from pydantic import BaseModel

from buergerbuero.live import outgoing, schemas
from buergerbuero.live.protocol_doc import BEGIN, DOCUMENT, END, document_with_reference


def test_the_protocol_document_matches_the_models():
    text = DOCUMENT.read_text()
    assert BEGIN in text and END in text
    # If this fails: `manage.py write_protocol_doc`, then review the diff.
    assert document_with_reference(text) == text


def test_every_model_is_in_the_reference():
    text = DOCUMENT.read_text()
    reference = text[text.index(BEGIN) : text.index(END)]
    models = [
        model
        for module in (outgoing, schemas)
        for model in vars(module).values()
        if isinstance(model, type)
        and issubclass(model, BaseModel)
        and model.__module__ == module.__name__
        and model not in (outgoing.Out, schemas.Message)
    ]
    missing = [
        m.__name__
        for m in models
        if f"(`{m.__name__}`)" not in reference and f"| `{m.__name__}` |" not in reference
    ]
    assert missing == []
    assert len(models) > 30
