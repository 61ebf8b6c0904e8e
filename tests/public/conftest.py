import pytest
from django.test import Client
from django.urls import reverse

from buergerbuero.live.sessions import ENTRIES_KEY


@pytest.fixture
def english():
    """A browser that asks for English: assertions on text stay put when German changes."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def office(make_department, make_staff):
    """An always-open department with an available clerk; returns (department, clerk)."""
    department = make_department(slug="wohngeld", name="Wohngeld")
    return department, make_staff(department)


@pytest.fixture
def knocked(office):
    """A citizen's browser that knocked at the office; returns (client, entry id)."""
    department, _clerk = office
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("public:knock", args=[department.slug]), {"display_name": "Ada"})
    assert response.status_code == 302
    return client, client.session[ENTRIES_KEY][-1]
