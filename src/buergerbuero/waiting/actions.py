"""Every change to the queue happens here, and each one announces itself.

Admitting is settled by a conditional UPDATE on the entry's state, so two staff members
clicking "admit" at once get exactly one room; the other is told it is handled.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from buergerbuero import metrics, notify, ratelimit
from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.calls.actions import end_room, open_room, unanswered_rooms
from buergerbuero.calls.errors import NotAllowed as CallNotAllowed
from buergerbuero.calls.models import Participant, Role, Room
from buergerbuero.departments.models import Department
from buergerbuero.errors import NameRequired, TextRequired
from buergerbuero.office.status import OfficeStatus, department_state
from buergerbuero.staff import permissions
from buergerbuero.text import clean_text

from .desk import waiting_citizen
from .errors import (
    AlreadyHandled,
    NotAllowed,
    NotWaiting,
    OfficeClosed,
    QueueFull,
    SameDepartment,
    TargetClosed,
    TooManyReplies,
)
from .models import (
    DISPLAY_NAME_MAX,
    LANGUAGE_MAX,
    REPLY_MAX,
    STAFF_MESSAGE_MAX,
    TOPIC_MAX,
    TRANSFER_NOTE_MAX,
    EntryState,
    QueueEntry,
)


def knock(
    department: Department,
    display_name: str,
    topic: str = "",
    language: str = "",
    *,
    known_state: OfficeStatus | None = None,
) -> QueueEntry:
    """A citizen joins the department's queue, last in line.

    `known_state`: the department's state as the caller already knows it (the citizen's
    page reads it from the live status board, current within one tick); read from the
    database when not given."""
    display_name = clean_text(display_name, DISPLAY_NAME_MAX)
    topic = clean_text(topic, TOPIC_MAX)
    if not display_name:
        raise NameRequired()
    state = known_state if known_state is not None else department_state(department).state
    if state == OfficeStatus.CLOSED:
        raise OfficeClosed()
    with transaction.atomic():
        # Lock the department row so the cap holds under concurrent knocks, and so that
        # knocks at one department commit in the order of their `created_at`.
        Department.objects.select_for_update().get(pk=department.pk)
        waiting = QueueEntry.objects.filter(department=department, state=EntryState.WAITING).count()
        if waiting >= settings.MAX_WAITING_PER_DEPARTMENT:
            raise QueueFull()
        entry = QueueEntry.objects.create(
            department=department,
            display_name=display_name,
            topic=topic,
            language=language[:LANGUAGE_MAX],
            seen_at=timezone.now(),
        )
    # Last in line (created under the lock, after everyone who waits): nobody else's
    # place or estimate changed, and the count is known.
    notify.announce_on_commit(
        notify.QueueChanged(
            department.pk,
            joined=entry.pk,
            waiting=waiting + 1,
            last_in_line=True,
            row=waiting_citizen(entry).model_dump(mode="json"),
        )
    )
    return entry


def knock_booked(booking) -> QueueEntry:
    """A booked citizen checking in: no opening-hours or queue-size check, since the
    department promised this time."""
    entry = QueueEntry.objects.create(
        department_id=booking.department_id,
        display_name=booking.display_name,
        topic=booking.topic,
        language=booking.language,
        seen_at=timezone.now(),
        booked_for=booking.starts_at,
    )
    notify.announce_on_commit(notify.QueueChanged(booking.department_id, joined=entry.pk))
    return entry


def touch(entry_id: str) -> None:
    touch_all([entry_id])


def touch_all(entry_ids) -> None:
    """Seen now, all of them in one statement (a stopping process's waiting rooms)."""
    QueueEntry.objects.filter(pk__in=list(entry_ids), state=EntryState.WAITING).update(
        seen_at=timezone.now()
    )


# A page is heard while its place waits, and while an admission waits for it to come (a
# hidden page holds its admission until it is shown again): whether such a citizen is
# still there decides what an unanswered admission becomes (end_unanswered_admissions).
HEARD = (EntryState.WAITING, EntryState.ADMITTED)


def _presence_changed(entry_ids) -> None:
    """Consoles show waiting citizens only: a mark on an admitted entry changes nothing
    they show."""
    departments = set(
        QueueEntry.objects.filter(pk__in=list(entry_ids), state=EntryState.WAITING).values_list(
            "department_id", flat=True
        )
    )
    for department_id in sorted(departments):
        notify.announce_on_commit(notify.PresenceChanged(department_id))


def _clear_marks(entry_ids, mark: str, states=HEARD) -> None:
    """Seen now and `mark` (gone, in the background) cleared, in two statements however
    many entries (a restart brings a process's waiting rooms back at once); their
    departments' consoles hear it if any of them was marked."""
    now = timezone.now()
    entries = QueueEntry.objects.filter(pk__in=list(entry_ids), state__in=states)
    # The marked ones in a statement of their own: one marked meanwhile (another tab of
    # the same place closing) is cleared and announced, never cleared unannounced.
    cleared = entries.filter(**{f"{mark}__isnull": False}).update(seen_at=now, **{mark: None})
    entries.filter(**{f"{mark}__isnull": True}).update(seen_at=now)
    if cleared:
        _presence_changed(entry_ids)


def _set_mark(entry_id: str, mark: str) -> None:
    """Seen now, and `mark` (gone, in the background) set from now unless it already is:
    only a change of the mark is announced; a repeated one merely counts as seen."""
    now = timezone.now()
    entries = QueueEntry.objects.filter(pk=entry_id, state__in=HEARD)
    marked = entries.filter(**{f"{mark}__isnull": True}).update(seen_at=now, **{mark: now})
    if marked:
        _presence_changed([entry_id])
    else:
        entries.update(seen_at=now)


def reconnected(entry_id: str) -> None:
    """The waiting room's socket is (back) open: seen now, and no longer marked as gone;
    the consoles hear it only if it had been marked."""
    reconnected_all([entry_id])


def reconnected_all(entry_ids) -> None:
    _clear_marks(entry_ids, "disconnected_at")


def disconnected(entry_id: str) -> None:
    """The waiting room's socket closed: the grace period counts from now, and staff see
    the citizen as gone until they come back (or expire)."""
    _set_mark(entry_id, "disconnected_at")


def backgrounded(entry_id: str) -> None:
    """The waiting room's page went hidden cleanly (another app, a locked phone): the
    place is kept for the longer background grace, counted from now, and staff see the
    citizen as "in the background", never as present."""
    _set_mark(entry_id, "backgrounded_at")


def foregrounded(entry_id: str) -> None:
    """The page is shown again (or is being closed or reloaded, which counts like any
    lost connection): back to the normal grace. An admitted entry keeps its mark: it
    tells whether the citizen missed their call in the background (missed_call)."""
    foregrounded_all([entry_id])


def foregrounded_all(entry_ids) -> None:
    _clear_marks(entry_ids, "backgrounded_at", states=(EntryState.WAITING,))


def _still_heard(entry: QueueEntry, now) -> bool:
    """Would this citizen's place still be kept, were they waiting (as expire_stale
    decides): heard within the grace, the longer one for a page in the background."""
    seconds = settings.QUEUE_GRACE_SECONDS
    if entry.backgrounded_at is not None:
        seconds = max(settings.QUEUE_BACKGROUND_GRACE_SECONDS, seconds)
    return entry.seen_at >= now - timedelta(seconds=seconds)


def missed_call(entry: QueueEntry):
    """The room of a call this citizen missed because their page slept: admitted while
    in the background, the call ended before they ever came, and their place would not
    have expired yet. None otherwise."""
    if entry.state != EntryState.ADMITTED or entry.backgrounded_at is None:
        return None
    room = Room.objects.filter(queue_entry=entry, ended_at__isnull=False).first()
    if room is None or room.participants.filter(role=Role.CITIZEN, seen_at__isnull=False).exists():
        return None
    longer = max(settings.QUEUE_BACKGROUND_GRACE_SECONDS, settings.QUEUE_GRACE_SECONDS)
    if entry.seen_at < timezone.now() - timedelta(seconds=longer):
        return None
    return room


def _back_at_front(entry_id: str, room: Room, heard_as_before: bool = False) -> None:
    """An admitted entry waits again, before everyone not called yet (`missed_call_at`,
    queue.queue_order); its room keeps its record, and the entry may be admitted to a new
    one. `heard_as_before`: the citizen did not come back themselves, so the marks of
    their page (gone, in the background, last heard) stay and the grace goes on counting
    from them."""
    Room.objects.filter(pk=room.pk).update(queue_entry=None)
    marks = (
        {}
        if heard_as_before
        else {"seen_at": timezone.now(), "disconnected_at": None, "backgrounded_at": None}
    )
    QueueEntry.objects.filter(pk=entry_id, state=EntryState.ADMITTED).update(
        state=EntryState.WAITING,
        resolved_at=None,
        resolved_by=None,
        missed_call_at=room.created_at,
        **marks,
    )


def rejoin_at_front(entry_id: str) -> QueueEntry:
    """A citizen back from the background after missing their call takes their place
    again, at the front of the queue (before everyone not called yet)."""
    with transaction.atomic():
        entry = QueueEntry.objects.select_for_update().get(pk=entry_id)
        room = missed_call(entry)
        if room is None:
            raise NotWaiting()
        # The unanswered room keeps its record (its end is audited as citizen-absent); the
        # entry may be admitted to a new one. The citizen's own step, like a knock, is not
        # a staff action to audit.
        _back_at_front(entry_id, room)
    notify.announce_on_commit(notify.QueueChanged(entry.department_id))
    entry.refresh_from_db()
    return entry


def return_to_queue(room_id: str, by: Participant) -> QueueEntry:
    """Staff take the admitted citizen back to the waiting room, at the front of the
    queue (to fetch a colleague, or after the citizen's connection broke): the call ends
    for everyone in it, the citizen keeps their place by their knock time and stands
    before everyone not called yet."""
    if by.role != Role.STAFF:
        raise CallNotAllowed()  # as for ending the call: only its staff side
    with transaction.atomic():
        room = Room.objects.select_for_update().filter(pk=room_id, ended_at__isnull=True).first()
        if room is None or room.queue_entry_id is None:
            raise NotWaiting()
        entry_id = room.queue_entry_id
        _back_at_front(entry_id, room)
        record(
            Action.RETURN_TO_QUEUE,
            actor=by.user,
            department_id=room.department_id,
            object_type="queue_entry",
            object_id=entry_id,
            detail=f"room {room.pk}",
        )
        end_room(room.pk, by, reason="returned", entry_id=entry_id)
    entry = QueueEntry.objects.get(pk=entry_id)
    notify.announce_on_commit(notify.QueueChanged(entry.department_id))
    return entry


def end_unanswered_admissions(now=None) -> int:
    """Admissions nobody answered within CALL_NO_SHOW_SECONDS: the call ends for the staff
    member instead of waiting at "connecting", and a citizen whose page is still heard
    (hidden while the admission waited for them, or a connection that dropped within the
    grace) waits again at the front of the queue, so that coming back costs them nothing.
    A citizen gone for longer than the grace is not put back. Returns the calls ended."""
    now = now or timezone.now()
    ended = 0
    for room in unanswered_rooms(now):
        staff = next((p for p in room.participants.all() if p.role == Role.STAFF), None)
        if staff is None:
            continue
        with transaction.atomic():
            entry = (
                QueueEntry.objects.select_for_update()
                .filter(pk=room.queue_entry_id, state=EntryState.ADMITTED)
                .first()
            )
            if entry is not None and _still_heard(entry, now):
                _back_at_front(entry.pk, room, heard_as_before=True)
                record(
                    Action.RETURN_TO_QUEUE,
                    actor=None,
                    department_id=room.department_id,
                    object_type="queue_entry",
                    object_id=entry.pk,
                    detail=f"unanswered, room {room.pk}",
                )
                end_room(room.pk, staff, abandoned=True, reason="unanswered", entry_id=entry.pk)
                notify.announce_on_commit(notify.QueueChanged(entry.department_id))
            else:
                end_room(room.pk, staff, abandoned=True, reason="citizen-absent")
        ended += 1
    return ended


def _resolve(entry_id: str, state: str, user=None, **fields) -> QueueEntry:
    """Move a waiting entry to `state`; exactly one caller wins."""
    now = timezone.now()
    updated = QueueEntry.objects.filter(pk=entry_id, state=EntryState.WAITING).update(
        state=state, resolved_at=now, resolved_by=user, **fields
    )
    entry = QueueEntry.objects.select_related("department").get(pk=entry_id)
    if not updated:
        handled_by_staff = entry.state in (EntryState.ADMITTED, EntryState.DECLINED)
        raise AlreadyHandled() if user is not None and handled_by_staff else NotWaiting()
    return entry


def leave(entry_id: str) -> QueueEntry:
    entry = _resolve(entry_id, EntryState.LEFT)
    notify.announce_on_commit(notify.QueueChanged(entry.department_id))
    return entry


def admit(entry_id: str, user):
    """Admit a waiting citizen into a new private room with `user`; returns the room."""
    with transaction.atomic():
        entry = _resolve(entry_id, EntryState.ADMITTED, user=user)
        room = open_room(entry, user)
        record(
            Action.ADMIT,
            actor=user,
            department_id=entry.department_id,
            object_type="queue_entry",
            object_id=entry.pk,
            detail=f"room {room.pk}",
        )
    notify.announce_on_commit(notify.EntryAdmitted(entry.pk, entry.department_id, room.pk))
    # Its own event: the queue, the consoles and the board follow; a transport in a hurry
    # to start the call may tell them a moment later (live/console_consumer.py).
    notify.announce_on_commit(notify.StaffingChanged((entry.department_id,)))
    waited = (entry.resolved_at or entry.created_at) - entry.created_at
    metrics.admission_wait.labels(entry.department.slug).observe(waited.total_seconds())
    return room


def decline(entry_id: str, user, message: str = "", language: str = "") -> QueueEntry:
    """`language`: what the message is written in (the console's); one of LANGUAGES, or
    empty for the office's own."""
    message = clean_text(message, STAFF_MESSAGE_MAX)
    office = settings.OFFICE_CONTENT_LANGUAGE.split("-")[0]
    if language not in dict(settings.LANGUAGES) or language == office:
        language = ""
    with transaction.atomic():
        entry = _resolve(
            entry_id,
            EntryState.DECLINED,
            user=user,
            decline_message=message,
            decline_language=language if message else "",
        )
        # Whether there was a message, never its words: they may name the citizen.
        record(
            Action.DECLINE,
            actor=user,
            department_id=entry.department_id,
            object_type="queue_entry",
            object_id=entry.pk,
            detail="with message" if message else "",
        )
    notify.announce_on_commit(declined(entry))
    return entry


def withdraw(entry_id: str, message: str = "") -> None:
    """Take a waiting citizen out of the queue for a reason outside the queue (their
    appointment was cancelled or marked as missed); they see the message."""
    message = clean_text(message, STAFF_MESSAGE_MAX)
    updated = QueueEntry.objects.filter(pk=entry_id, state=EntryState.WAITING).update(
        state=EntryState.DECLINED, resolved_at=timezone.now(), decline_message=message
    )
    if updated:
        entry = QueueEntry.objects.get(pk=entry_id)
        notify.announce_on_commit(declined(entry))


def message_waiting(department_id: int, text: str, entry_id: str | None = None, user=None) -> int:
    """Send a short staff message (from `user`) to one waiting citizen or a whole queue."""
    text = clean_text(text, STAFF_MESSAGE_MAX)
    if not text:
        raise TextRequired()
    entries = QueueEntry.objects.filter(department_id=department_id, state=EntryState.WAITING)
    if entry_id is not None:
        entries = entries.filter(pk=entry_id)
    ids = list(entries.values_list("id", flat=True))
    if entry_id is not None and not ids:
        raise NotWaiting()
    # Recorded before it is sent: a message must never reach anyone unrecorded.
    record(
        Action.MESSAGE,
        actor=user,
        department_id=department_id,
        object_type="department" if entry_id is None else "queue_entry",
        object_id=department_id if entry_id is None else entry_id,
        detail=f"recipients: {len(ids)}",
    )
    notify.announce(
        notify.StaffMessageSent(department_id, None if entry_id is None else ids[0], text)
    )
    return len(ids)


def transfer(
    entry_id: str, department_id: int, user, note: str = "", tell_citizen: bool = False
) -> QueueEntry:
    """Pass a waiting citizen on to another department's queue, with a note for the
    colleague there. The entry moves and keeps its knock time, so the citizen stands
    where that time puts them, not at the back. Only by someone who serves the citizen's
    department, only to a department that takes citizens now; no queue cap, as for a
    booked check-in: the office decided, not the citizen. The citizen hears where they
    are now, and the note only when `tell_citizen` (it is written for a colleague)."""
    note = clean_text(note, TRANSFER_NOTE_MAX)
    source_id = _waiting_department(entry_id)
    if not permissions.may_serve(user, source_id):
        raise NotAllowed()
    target = (
        Department.objects.filter(pk=department_id, is_active=True)
        .prefetch_related("hours")
        .first()
    )
    if target is None or department_state(target).state == OfficeStatus.CLOSED:
        raise TargetClosed()
    if target.pk == source_id:
        raise SameDepartment()
    with transaction.atomic():
        # Conditional on the department it was read in: two colleagues passing the same
        # citizen on at once move them once; the other is told it is handled.
        moved = QueueEntry.objects.filter(
            pk=entry_id, state=EntryState.WAITING, department_id=source_id
        ).update(department=target, transferred_from_id=source_id, transfer_note=note)
        if not moved:
            state = QueueEntry.objects.filter(pk=entry_id).values_list("state", flat=True).first()
            if state in (EntryState.WAITING, EntryState.ADMITTED, EntryState.DECLINED):
                raise AlreadyHandled()
            raise NotWaiting()
        # Where to and whether there was a note, never its words (like a decline).
        record(
            Action.TRANSFER,
            actor=user,
            department_id=source_id,
            object_type="queue_entry",
            object_id=entry_id,
            detail=f"to department {target.pk}" + (", with note" if note else ""),
        )
    notify.announce_on_commit(
        notify.EntryTransferred(
            entry_id, source_id, target.pk, target.name, target.slug, note if tell_citizen else ""
        )
    )
    return QueueEntry.objects.get(pk=entry_id)


def _waiting_department(entry_id: str) -> int:
    """The department the entry waits in; NotWaiting when it waits nowhere (left, handled,
    expired or unknown: the caller cannot tell which, and need not)."""
    department_id = (
        QueueEntry.objects.filter(pk=entry_id, state=EntryState.WAITING)
        .values_list("department_id", flat=True)
        .first()
    )
    if department_id is None:
        raise NotWaiting()
    return department_id


def reply(entry_id: str, text: str) -> None:
    """A waiting citizen answers the office (a file number, "five more minutes"):
    relayed to the consoles of their department, never stored, like the call's chat.
    Counted per place in the queue, not per address: several citizens may share one
    library PC or one mobile network's address."""
    text = clean_text(text, REPLY_MAX)
    if not text:
        raise TextRequired()
    department_id = _waiting_department(entry_id)
    limit, window = settings.RATE_LIMITS["reply"]
    if ratelimit.count(f"rl:reply:{entry_id}:{int(time.time() // window)}", window) > limit:
        raise TooManyReplies()
    notify.announce(notify.CitizenReplied(department_id, entry_id, text, timezone.now()))


def expire_stale(now=None, background: bool = True) -> int:
    """Expire entries whose browser has been gone for longer than the grace period: the
    longer QUEUE_BACKGROUND_GRACE_SECONDS for a page that went to the background cleanly
    (a suspended phone tab cannot ping), and only when `background` (the caller has heard
    the database for that long, see housekeeping)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.QUEUE_GRACE_SECONDS)
    stale_shown = Q(backgrounded_at__isnull=True, seen_at__lt=cutoff)
    if background:
        longer = max(settings.QUEUE_BACKGROUND_GRACE_SECONDS, settings.QUEUE_GRACE_SECONDS)
        background_cutoff = now - timedelta(seconds=longer)
        stale_shown |= Q(backgrounded_at__isnull=False, seen_at__lt=background_cutoff)
    stale = QueueEntry.objects.filter(stale_shown, state=EntryState.WAITING)
    department_ids = set(stale.values_list("department_id", flat=True))
    expired = stale.update(state=EntryState.EXPIRED, resolved_at=now)
    for department_id in department_ids:
        notify.announce(notify.QueueChanged(department_id))
    return expired


def declined(entry: QueueEntry) -> notify.EntryDeclined:
    return notify.EntryDeclined(
        entry.pk, entry.department_id, entry.decline_message, entry.decline_language
    )
