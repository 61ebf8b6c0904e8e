"""New sessions are written without asking first whether their key is taken; a taken
key is still refused by the insert, and a new one drawn."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buergerbuero.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_new_session_is_one_insert():
    store = SessionStore()
    store["bb_queue_entries"] = ["abc"]
    with CaptureQueriesContext(connection) as queries:
        store.save()
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert "SELECT" not in statements and statements.count("INSERT") == 1
    assert SessionStore(store.session_key)["bb_queue_entries"] == ["abc"]


def test_a_taken_key_is_refused_and_another_drawn(monkeypatch):
    taken = SessionStore()
    taken["who"] = "first"
    taken.save()
    keys = iter([taken.session_key, "k" * 32])
    monkeypatch.setattr(SessionStore, "_get_new_session_key", lambda self: next(keys))
    store = SessionStore()
    store["who"] = "second"
    store.save()
    assert store.session_key == "k" * 32
    assert SessionStore(taken.session_key)["who"] == "first"
    assert Session.objects.count() == 2
