import pytest


@pytest.fixture
def client():
    """A browser that prefers English, so assertions read the source texts."""
    from django.test import Client

    return Client(headers={"accept-language": "en"})
