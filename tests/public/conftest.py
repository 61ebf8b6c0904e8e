import pytest
from django.test import Client
from django.urls import reverse

from buergerbuero.access import ENTRIES_KEY


@pytest.fixture
def knocked(office_with_clerk):
    """A citizen's browser that knocked at the office; returns (client, entry id)."""
    department, _clerk = office_with_clerk
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("public:knock", args=[department.slug]), {"display_name": "Ada"})
    assert response.status_code == 302
    return client, client.session[ENTRIES_KEY][-1]
