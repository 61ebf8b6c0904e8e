"""Every operation of the OpenAPI document, fed by schemathesis against the live WSGI app:
never a 500, and every response (status, content type, body) as the document says."""

from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from buergerbuero.api.tokens import issue_token
from tests import factories

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def same_connection():
    """What Django's test client does around each request: the WSGI handler must not close
    the test's database connection, which holds the test's transaction (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def office(db, settings, same_connection):
    """A department with a bookable kind and a token; generous limits so the examples
    reach the actions rather than the rate limit."""
    settings.RATE_LIMITS = {k: (100_000, 3600) for k in settings.RATE_LIMITS}
    department = factories.make_department(slug="wohngeld")
    factories.make_kind(department)
    _token, text = issue_token(
        "schemathesis",
        ["appointments:read", "statistics:read"],
        [department],
        expires_at=timezone.now() + timedelta(days=1),
    )
    return text


@schema.parametrize()
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_its_document(case, office):
    case.call_and_validate(headers={"Authorization": f"Bearer {office}"}, checks=CHECKS)
