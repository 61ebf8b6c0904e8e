"""The collector's freezing (live/collector.py): what survived is kept out of full
collections, and cycles among it are reclaimed by the sweep."""

import gc
import time
import weakref

import pytest

from buergerbuero.live import collector as collector_module
from buergerbuero.live.collector import Collector


class Node:
    """Weakly referenceable, so a test can see when it is reclaimed."""


@pytest.fixture
def collector():
    """A collector of its own, switched on; everything unfrozen again afterwards, so no
    test leaves the rest of the run with frozen objects."""
    own = Collector()
    own.enable()
    yield own
    own.disable()
    gc.collect()


def test_collector_enable_freezes_what_start_up_made(collector):
    assert gc.get_freeze_count() > 0


def test_collector_settle_freezes_what_survived_since(collector):
    before = gc.get_freeze_count()
    kept = [[] for _ in range(1000)]  # lists are tracked by the collector
    collector.settle()
    assert gc.get_freeze_count() >= before + len(kept)


def test_collector_settle_frees_young_garbage_instead_of_freezing_it(collector):
    node = Node()
    node.me = node  # a cycle: only the collector reclaims it
    gone = weakref.ref(node)
    del node
    collector.settle()
    assert gone() is None


def test_collector_sweep_reclaims_cycles_among_frozen_objects(collector):
    node = Node()
    node.me = node
    gone = weakref.ref(node)
    collector.settle()  # alive: frozen
    del node
    gc.collect()
    assert gone() is not None  # the price of freezing, until the sweep
    collector.last_sweep -= collector_module.QUIET_SWEEP_SECONDS
    assert collector.sweep_if_due(watchers=0) is True
    assert gone() is None
    assert gc.get_freeze_count() > 0  # and what lives is frozen again


def test_collector_sweeps_only_when_few_watch_or_after_a_day(collector):
    collector.last_sweep = time.monotonic() - collector_module.QUIET_SWEEP_SECONDS
    assert collector.sweep_if_due(watchers=collector_module.QUIET_WATCHERS) is False
    collector.last_sweep = time.monotonic() - collector_module.QUIET_SWEEP_SECONDS / 2
    assert collector.sweep_if_due(watchers=0) is False
    collector.last_sweep = time.monotonic() - collector_module.LONGEST_WITHOUT_SWEEP_SECONDS
    assert collector.sweep_if_due(watchers=10_000) is True


def test_collector_settles_after_a_burst_of_watchers(collector):
    collector.attaches = collector_module.SETTLE_AFTER_ATTACHES - 2
    collector.attached()
    assert collector.attaches == collector_module.SETTLE_AFTER_ATTACHES - 1
    kept = [[] for _ in range(100)]
    before = gc.get_freeze_count()
    collector.attached()
    assert collector.attaches == 0
    assert gc.get_freeze_count() >= before + len(kept)


def test_collector_does_nothing_unless_enabled():
    own = Collector()
    before = gc.get_freeze_count()
    own.settle()
    own.attached()
    assert own.sweep_if_due(watchers=0) is False
    assert gc.get_freeze_count() == before == 0
