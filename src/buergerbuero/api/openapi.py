"""The OpenAPI 3 document, as served at /api/v1/openapi.json and committed as
docs/openapi.json (so a change to the API shows in review)."""

import json
from pathlib import Path

from django.conf import settings
from django.utils import translation

from .v1 import api

DOCUMENT = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def openapi_text() -> str:
    # In the source language, whatever the command's environment.
    with translation.override("en"):
        schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
