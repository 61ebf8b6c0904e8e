"""Retention periods: a department's own where set, the installation's otherwise."""

from datetime import UTC, datetime, timedelta

import pytest

from buergerbuero.privacy.models import RetentionPolicy
from buergerbuero.privacy.retention import (
    KINDS,
    Cutoffs,
    Retention,
    cutoffs,
    default_retention,
    retention_for,
)

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def test_default_retention_is_the_documented_default():
    assert default_retention() == Retention(
        queue_entries=1,
        rooms=1,
        invitations=1,
        bookings=30,
        cancelled_bookings=7,
        mails=7,
        failed_mails=7,
    )


def test_retention_follows_changed_settings(settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "bookings": 90}
    assert retention_for(None).bookings == 90


def test_retention_for_takes_set_fields_and_defaults_for_empty_ones():
    policy = RetentionPolicy(bookings_days=90, queue_entries_days=0, rooms_days=None)
    assert retention_for(policy) == Retention(
        queue_entries=0,
        rooms=1,
        invitations=1,
        bookings=90,
        cancelled_bookings=7,
        mails=7,
        failed_mails=7,
    )


def test_cutoffs_are_now_minus_the_days():
    retention = Retention(
        queue_entries=0,
        rooms=1,
        invitations=2,
        bookings=30,
        cancelled_bookings=7,
        mails=7,
        failed_mails=14,
    )
    assert cutoffs(retention, NOW) == Cutoffs(
        queue_entries=NOW,
        rooms=NOW - timedelta(days=1),
        invitations=NOW - timedelta(days=2),
        bookings=NOW - timedelta(days=30),
        cancelled_bookings=NOW - timedelta(days=7),
        mails=NOW - timedelta(days=7),
        failed_mails=NOW - timedelta(days=14),
    )


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_setting_and_a_policy_field(kind, settings):
    assert kind in settings.RETENTION_DAYS
    assert RetentionPolicy._meta.get_field(f"{kind}_days").null is True


def test_settings_name_no_kind_the_code_does_not_know(settings):
    assert sorted(settings.RETENTION_DAYS) == sorted(KINDS)
