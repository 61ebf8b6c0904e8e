"""The committed docs/openapi.json is what the code generates, and the app serves it."""

import json

from buergerbuero.api.openapi import DOCUMENT, openapi_text


def test_the_committed_document_is_the_generated_one():
    # After changing the API: manage.py write_openapi
    assert DOCUMENT.read_text() == openapi_text()


def test_the_app_serves_it(api, db):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served = response.json()
    assert served["openapi"].startswith("3.")
    assert served["paths"] == json.loads(openapi_text())["paths"]
