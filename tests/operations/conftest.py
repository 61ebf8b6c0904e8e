import pytest

from buergerbuero.live import heartbeat


@pytest.fixture
def ticking():
    """This process's ticker as the lifespan leaves it: started, and ticked just now (the
    test client runs no lifespan). Stopped again afterwards."""
    heartbeat.started(10)
    heartbeat.ticked()
    yield
    heartbeat.stopped()
