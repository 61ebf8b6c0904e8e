"""Callback requests: a citizen who found a department closed or unstaffed leaves a
telephone number and a time window; staff of that department call back and mark it done,
which deletes it at once. Requests nobody marked done go with the purge
(`purge_callbacks`), CALLBACK_RETENTION_DAYS after the end of their window.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buergerbuero import notify
from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.departments import closures as department_closures
from buergerbuero.departments import schedule
from buergerbuero.departments.models import Department
from buergerbuero.errors import InvalidInput
from buergerbuero.office.status import ranges_of
from buergerbuero.staff import permissions
from buergerbuero.text import clean_text

from .errors import QueueError
from .models import CALLBACK_TOPIC_MAX, LANGUAGE_MAX, PHONE_MAX, CallbackRequest

# How many windows a citizen chooses from, and how far ahead they may lie.
WINDOWS_MAX = 6
WINDOWS_DAYS = 14
# A window that is about to end is not offered: nobody could call in it.
WINDOW_MIN = timedelta(minutes=15)
# Open requests per department at once: a script cannot fill a console.
OPEN_MAX = 200
# "+" or "00" and a country code, or a national number starting with 0; 6 to 15 digits.
_PHONE = re.compile(r"^\+?[0-9]{6,15}$")
_SEPARATORS = re.compile(r"[\s\-/().]")


class InvalidPhone(InvalidInput):
    code = "invalid_phone"
    message = _(
        "Please enter a telephone number of 6 to 15 digits, for example +49 30 1234567 or "
        "030 1234567."
    )


class InvalidWindow(InvalidInput):
    code = "invalid_window"
    message = _("Please choose one of the times offered.")


class CallbacksNotOffered(QueueError):
    code = "callbacks_not_offered"
    message = _("This department does not take callback requests.")


class TooManyCallbacks(QueueError):
    code = "callbacks_full"
    message = _("Too many callback requests are open here. Please try again later.")


class CallbackGone(QueueError):
    code = "callback_gone"
    message = _("This callback request has already been handled.")


class NotYourDepartment(QueueError):
    code = "not_allowed"
    message = _("You do not serve this department.")


@dataclass(frozen=True)
class Window:
    starts_at: datetime
    ends_at: datetime

    @property
    def key(self) -> str:
        return self.starts_at.isoformat()


def normalise_phone(text: str) -> str:
    """Digits with a leading "+" for an international number ("0049 …" too); separators
    people type (spaces, hyphens, slashes, dots, brackets) go."""
    value = _SEPARATORS.sub("", clean_text(text, 40))
    if value.startswith("00"):
        value = "+" + value[2:]
    if not _PHONE.match(value) or len(value) > PHONE_MAX:
        raise InvalidPhone
    return value


def callback_windows(department: Department, now: datetime | None = None) -> list[Window]:
    """The times a citizen may ask to be called in: the rest of the opening hours now
    running, then the next opening ranges (without closures and public holidays)."""
    now = now or timezone.now()
    closures = department_closures.closures_by_department([department.pk], now)
    closed = department_closures.closed_intervals(department, now, closures.get(department.pk, []))
    intervals = schedule.subtract(
        schedule.open_intervals(ranges_of(department), department.zone, now, WINDOWS_DAYS), closed
    )
    windows = []
    for begin, end in intervals:
        if end - max(begin, now) < WINDOW_MIN:
            continue
        # The running range from the next quarter hour: a time a person can name.
        start = begin if begin > now else _next_quarter(now)
        windows.append(Window(start, end))
        if len(windows) == WINDOWS_MAX:
            break
    return windows


def _next_quarter(moment: datetime) -> datetime:
    moment = moment.replace(second=0, microsecond=0)
    return moment + timedelta(minutes=-moment.minute % 15)


def request_callback(
    department: Department,
    phone: str,
    window_key: str,
    topic: str = "",
    language: str = "",
    now: datetime | None = None,
) -> CallbackRequest:
    """Record a citizen's callback request; the department's consoles hear of it."""
    if not department.accepts_callbacks or not department.is_active:
        raise CallbacksNotOffered
    number = normalise_phone(phone)
    window = next((w for w in callback_windows(department, now) if w.key == window_key), None)
    if window is None:
        raise InvalidWindow
    with transaction.atomic():
        # One department row lock: two requests at once cannot both pass the limit.
        Department.objects.select_for_update().filter(pk=department.pk).first()
        if CallbackRequest.objects.filter(department=department).count() >= OPEN_MAX:
            raise TooManyCallbacks
        callback = CallbackRequest.objects.create(
            department=department,
            phone=number,
            window_starts_at=window.starts_at,
            window_ends_at=window.ends_at,
            topic=clean_text(topic, CALLBACK_TOPIC_MAX),
            language=language[:LANGUAGE_MAX],
        )
        notify.announce_on_commit(notify.CallbacksChanged(department.pk))
    return callback


def open_callbacks(department_ids) -> list[CallbackRequest]:
    """The open callback requests of these departments (the ones a member serves: the
    caller checked), soonest first."""
    return list(
        CallbackRequest.objects.filter(department_id__in=list(department_ids)).select_related(
            "department"
        )
    )


def complete_callback(callback_id: str, user) -> None:
    """Staff called the citizen back: the request is deleted at once (audited without
    the number)."""
    with transaction.atomic():
        callback = CallbackRequest.objects.select_for_update().filter(pk=callback_id).first()
        if callback is None:
            raise CallbackGone
        if not permissions.may_serve(user, callback.department_id):
            raise NotYourDepartment
        callback.delete()
        record(
            Action.COMPLETE_CALLBACK,
            actor=user,
            object_type="callback_request",
            object_id=callback_id,
            department_id=callback.department_id,
        )
        notify.announce_on_commit(notify.CallbacksChanged(callback.department_id))


def withdraw_callback(callback_id: str) -> None:
    """The citizen no longer wants the call (the caller checked that their browser made
    the request): deleted at once, number and all, and the department's consoles no
    longer list it. Not audited: no one acted on anybody's data but their own."""
    with transaction.atomic():
        callback = CallbackRequest.objects.select_for_update().filter(pk=callback_id).first()
        if callback is None:
            raise CallbackGone
        callback.delete()
        notify.announce_on_commit(notify.CallbacksChanged(callback.department_id, withdrawn=True))


def purge_callbacks(now: datetime) -> int:
    """Delete requests whose window ended more than CALLBACK_RETENTION_DAYS ago."""
    limit = now - timedelta(days=settings.CALLBACK_RETENTION_DAYS)
    return CallbackRequest.objects.filter(window_ends_at__lt=limit).delete()[0]
