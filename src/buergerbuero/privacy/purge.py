"""Deleting or anonymising personal data whose retention period has ended.

Runs hourly in every process (live/ticker.py) and on demand
(`manage.py purge_personal_data`). Idempotent: a second run, or two processes at once,
change nothing more. The daily statistics of every affected day are recomputed before
its rows lose their names.
"""

import time
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from buergerbuero import metrics
from buergerbuero.audit.actions import purge_before
from buergerbuero.bookings.models import Booking, BookingStatus, OutgoingMail
from buergerbuero.calls.models import Invitation, Participant
from buergerbuero.departments.models import Department
from buergerbuero.waiting.callbacks import purge_callbacks
from buergerbuero.waiting.models import EntryState, QueueEntry

from .anonymise import anonymise, delete_mails, still_personal
from .models import RetentionPolicy
from .retention import Cutoffs, cutoffs, default_retention, retention_for
from .statistics import record_days

COUNTED = (
    "queue_entries",
    "participants",
    "invitations",
    "bookings",
    "mails",
    "sessions",
    "callback_requests",
    "audit_events",
)
PURGE_INTERVAL_SECONDS = 60 * 60

_last_purge: float | None = None


def purge_expired(now: datetime) -> dict[str, int]:
    """Purge everything expired at `now`; returns how many rows of each kind changed."""
    counts = dict.fromkeys(COUNTED, 0)
    policies = {policy.department_id: policy for policy in RetentionPolicy.objects.all()}
    # Inactive departments too: switching a department off must not keep its data.
    for department in Department.objects.all():
        limits = cutoffs(retention_for(policies.get(department.pk)), now)
        with transaction.atomic():
            for kind, count in _purge_department(department, limits).items():
                counts[kind] += count
    counts["mails"] += delete_mails(
        _expired_mails(OutgoingMail.objects.filter(booking__isnull=True), default_cutoffs(now))
    )
    counts["sessions"] = _purge_sessions(now)
    # Installation-wide: one retention for every department (docs/privacy.md).
    counts["callback_requests"] = purge_callbacks(now)
    # Installation-wide: the audit log is the operator's record, not a department's.
    counts["audit_events"] = purge_before(now - timedelta(days=settings.AUDIT_RETENTION_DAYS))
    return counts


def default_cutoffs(now: datetime) -> Cutoffs:
    return cutoffs(default_retention(), now)


def _purge_department(department: Department, limits: Cutoffs) -> dict[str, int]:
    entries = QueueEntry.objects.filter(
        department=department, resolved_at__lt=limits.queue_entries
    ).exclude(state=EntryState.WAITING)
    participants = Participant.objects.filter(
        room__department=department, room__ended_at__lt=limits.rooms
    )
    bookings = Booking.objects.filter(department=department).filter(
        Q(ends_at__lt=limits.bookings)
        | Q(status=BookingStatus.CANCELLED, cancelled_at__lt=limits.cancelled_bookings)
    )
    # Statistics first, from rows that still have everything.
    record_days(
        department,
        [
            *entries.filter(still_personal(QueueEntry)).values_list("created_at", flat=True),
            *participants.filter(still_personal(Participant)).values_list(
                "room__created_at", flat=True
            ),
            *bookings.filter(still_personal(Booking)).values_list("starts_at", flat=True),
        ],
    )
    mails = _expired_mails(OutgoingMail.objects.filter(booking__department=department), limits)
    return {
        # A booking's mails go with its contact data, whatever their own retention.
        "mails": delete_mails(mails | OutgoingMail.objects.filter(booking__in=bookings)),
        "queue_entries": anonymise(entries),
        "participants": anonymise(participants),
        "invitations": Invitation.objects.filter(
            room__department=department, expires_at__lt=limits.invitations
        )
        .delete()[1]
        .get(Invitation._meta.label, 0),
        "bookings": anonymise(bookings),
    }


def _expired_mails(mails, limits: Cutoffs):
    return mails.filter(
        Q(sent_at__lt=limits.mails)
        # Given up: the last attempt scheduled its retry at send_after, at most four
        # hours after the attempt (bookings.mails.retry_delay).
        | Q(
            sent_at__isnull=True,
            attempts__gte=settings.MAIL_MAX_ATTEMPTS,
            send_after__lt=limits.failed_mails,
        )
    )


def _purge_sessions(now: datetime) -> int:
    """Expired sessions still name the queue entries and calls of a browser."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if issubclass(store, DatabaseSessionStore):
        return store.get_model_class().objects.filter(expire_date__lt=now).delete()[0]
    store.clear_expired()
    return 0


def purge_if_due(clock=time.monotonic) -> dict[str, int] | None:
    """The ticker's hook: at most one purge an hour per process, the first at start."""
    global _last_purge
    current = clock()
    if _last_purge is not None and current - _last_purge < PURGE_INTERVAL_SECONDS:
        return None
    _last_purge = current
    try:
        counts = purge_expired(timezone.now())
    except Exception:
        metrics.purge_runs.labels(result="failure").inc()
        raise
    metrics.purge_runs.labels(result="success").inc()
    return counts
