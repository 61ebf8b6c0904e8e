"""How long each kind of personal data is kept, and from when on it is expired.

Pure functions over plain values: the purge, the privacy notice and the record of
processing activities all read retention through here, so they cannot disagree.
"""

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from django.conf import settings


@dataclass(frozen=True)
class Retention:
    """Days to keep, per kind, counted from the moment each kind is no longer needed."""

    queue_entries: int  # after the entry was resolved (admitted, declined, left, expired)
    rooms: int  # participants' names, after the call ended
    invitations: int  # after the invitation expired
    bookings: int  # after the appointment ended
    cancelled_bookings: int  # after the cancellation
    mails: int  # after the mail was sent
    failed_mails: int  # after the last attempt of a mail that never went out


KINDS = tuple(field.name for field in fields(Retention))


@dataclass(frozen=True)
class Cutoffs:
    """Data whose reference time lies before the cutoff has expired."""

    queue_entries: datetime
    rooms: datetime
    invitations: datetime
    bookings: datetime
    cancelled_bookings: datetime
    mails: datetime
    failed_mails: datetime


def default_retention() -> Retention:
    return Retention(**{kind: int(settings.RETENTION_DAYS[kind]) for kind in KINDS})


def retention_for(policy) -> Retention:
    """A department's retention: its own policy where set, the installation's default
    where not (`policy` may be None)."""
    defaults = default_retention()
    own = {
        kind: getattr(policy, f"{kind}_days")
        for kind in KINDS
        if policy is not None and getattr(policy, f"{kind}_days") is not None
    }
    return Retention(**{**{kind: getattr(defaults, kind) for kind in KINDS}, **own})


def cutoffs(retention: Retention, now: datetime) -> Cutoffs:
    return Cutoffs(**{kind: now - timedelta(days=getattr(retention, kind)) for kind in KINDS})
