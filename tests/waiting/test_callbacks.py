"""Callback requests: validation, the windows offered, staff marking one done, the purge."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from buergerbuero import notify
from buergerbuero.audit.models import Action, AuditEvent
from buergerbuero.staff import permissions
from buergerbuero.waiting import callbacks
from buergerbuero.waiting.models import CallbackRequest

from ..factories import make_department, make_staff

pytestmark = pytest.mark.django_db

# Monday 8 December 2025, 10:00 in Berlin (09:00 UTC).
MONDAY_TEN = datetime(2025, 12, 8, 9, 0, tzinfo=UTC)
WEEKDAY_MORNINGS = [(day, 8 * 60, 12 * 60) for day in range(5)]


def callback_department(**fields):
    return make_department(hours=WEEKDAY_MORNINGS, accepts_callbacks=True, **fields)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+49 30 1234567", "+49301234567"),
        ("0049 (30) 123-45-67", "+49301234567"),
        ("030 / 1234567", "0301234567"),
        ("0171.2345678", "01712345678"),
    ],
)
def test_normalise_phone_keeps_digits_and_a_plus(typed, stored):
    assert callbacks.normalise_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "+",
        "12345",
        "+49 30 1234567 ext 5",
        "+1234567890123456",
        "++491234567",
        "030 123456a",
        "0" * 40,
    ],
)
def test_normalise_phone_refuses_what_is_no_number(typed):
    with pytest.raises(callbacks.InvalidPhone):
        callbacks.normalise_phone(typed)


def test_windows_start_with_the_rest_of_the_hours_running_then_the_next_mornings():
    department = callback_department()

    windows = callbacks.callback_windows(department, MONDAY_TEN + timedelta(minutes=7))

    assert [(w.starts_at, w.ends_at) for w in windows] == [
        # Today from the next quarter hour (10:15 Berlin) to 12:00, then Tuesday to Monday.
        (datetime(2025, 12, 8, 9, 15, tzinfo=UTC), datetime(2025, 12, 8, 11, 0, tzinfo=UTC)),
        *[
            (datetime(2025, 12, d, 7, 0, tzinfo=UTC), datetime(2025, 12, d, 11, 0, tzinfo=UTC))
            for d in (9, 10, 11, 12, 15)
        ],
    ]


def test_windows_leave_out_a_range_about_to_end():
    department = callback_department()

    windows = callbacks.callback_windows(department, MONDAY_TEN + timedelta(hours=1, minutes=50))

    assert windows[0].starts_at == datetime(2025, 12, 9, 7, 0, tzinfo=UTC)


def test_request_callback_stores_the_minimum_and_tells_the_consoles(
    django_capture_on_commit_callbacks,
):
    department = callback_department()
    heard = []
    notify.listen(heard.append)
    try:
        window = callbacks.callback_windows(department, MONDAY_TEN)[1]
        with django_capture_on_commit_callbacks(execute=True):
            made = callbacks.request_callback(
                department, "0049 30 1234567", window.key, "  Az.\u202e 12\n", "tr", now=MONDAY_TEN
            )
    finally:
        notify.unlisten(heard.append)

    stored = CallbackRequest.objects.get()
    assert (stored.pk, stored.phone, stored.topic, stored.language) == (
        made.pk,
        "+49301234567",
        "Az. 12",
        "tr",
    )
    assert (stored.window_starts_at, stored.window_ends_at) == (window.starts_at, window.ends_at)
    assert len(stored.pk) >= 22
    assert notify.CallbacksChanged(department.pk) in heard


def test_request_callback_refuses_a_window_not_offered_and_a_department_without_callbacks():
    department = callback_department()
    with pytest.raises(callbacks.InvalidWindow):
        callbacks.request_callback(
            department, "030 1234567", "2025-12-08T20:00:00+00:00", now=MONDAY_TEN
        )
    closed_to_calls = make_department(hours=WEEKDAY_MORNINGS)
    key = callbacks.callback_windows(closed_to_calls, MONDAY_TEN)[0].key
    with pytest.raises(callbacks.CallbacksNotOffered):
        callbacks.request_callback(closed_to_calls, "030 1234567", key, now=MONDAY_TEN)
    assert CallbackRequest.objects.count() == 0


def _request(department):
    key = callbacks.callback_windows(department)[0].key
    return callbacks.request_callback(department, "030 1234567", key)


def test_complete_callback_deletes_the_request_and_audits_without_the_number():
    department = make_department(accepts_callbacks=True)
    clerk = make_staff(department)
    made = _request(department)

    callbacks.complete_callback(made.pk, clerk)

    assert CallbackRequest.objects.count() == 0
    event = AuditEvent.objects.get(action=Action.COMPLETE_CALLBACK)
    assert (event.actor_id, event.department_id, event.object_type, event.object_id) == (
        clerk.pk,
        department.pk,
        "callback_request",
        made.pk,
    )
    assert "1234567" not in f"{event.detail} {event.object_id}"
    with pytest.raises(callbacks.CallbackGone):
        callbacks.complete_callback(made.pk, clerk)


def test_complete_callback_only_by_staff_of_that_department():
    department = make_department(accepts_callbacks=True)
    other = make_staff(make_department())
    made = _request(department)

    with pytest.raises(callbacks.NotYourDepartment):
        callbacks.complete_callback(made.pk, other)

    assert CallbackRequest.objects.filter(pk=made.pk).exists()
    assert callbacks.open_callbacks(permissions.staff_department_ids(other)) == []
    assert AuditEvent.objects.filter(action=Action.COMPLETE_CALLBACK).count() == 0


@override_settings(CALLBACK_RETENTION_DAYS=3)
def test_purge_deletes_callbacks_after_their_retention():
    department = make_department(accepts_callbacks=True)
    made = _request(department)
    end = made.window_ends_at

    assert callbacks.purge_callbacks(end + timedelta(days=3)) == 0
    assert callbacks.purge_callbacks(end + timedelta(days=3, seconds=1)) == 1
    assert CallbackRequest.objects.count() == 0
