"""A real OpenLDAP server for the directory tests (tests/directory/servers.py)."""

import pytest

from buergerbuero.directory.settings import directory_settings

from .servers import Slapd


@pytest.fixture(scope="session")
def slapd(tmp_path_factory):
    server = Slapd(tmp_path_factory.mktemp("slapd"))
    server.start()
    yield server
    server.stop()


def use_directory(settings, environ: dict) -> None:
    """Point the office at a directory as settings.py would from these variables."""
    for name, value in directory_settings(environ).items():
        setattr(settings, name, value)


@pytest.fixture
def ldap_office(settings, slapd):
    use_directory(settings, slapd.env())
    return slapd


@pytest.fixture
def stopped_slapd(settings, tmp_path):
    """A directory of the test's own, started and then stopped: the directory is down."""
    server = Slapd(tmp_path / "slapd")
    server.start()
    use_directory(settings, server.env())
    yield server
    server.stop()
