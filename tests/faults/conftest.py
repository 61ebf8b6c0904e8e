import pytest

from ..services import OwnPostgres


@pytest.fixture
def own_postgres():
    cluster = OwnPostgres(max_connections=100)
    try:
        yield cluster
    finally:
        cluster.drop()
