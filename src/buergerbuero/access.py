"""Who a browser is here: the queue entries and call seats its session holds.

Citizens have no account; the session cookie (HttpOnly, strictly necessary) is the
only key to their place in the queue and their seat in a call. Pages and sockets both
ask here, so the rule is written once; the domain itself never sees a session.
"""

from django.db.models import Q

from buergerbuero.calls.models import Participant, Role, Room
from buergerbuero.waiting.models import EntryState, QueueEntry

ENTRIES_KEY = "bb_queue_entries"
PARTICIPANTS_KEY = "bb_participants"
MAX_REMEMBERED = 10


def _remember(session, key: str, item_id: str) -> None:
    held = [c for c in session.get(key, []) if c != item_id]
    session[key] = [*held, item_id][-MAX_REMEMBERED:]


def remember_entry(session, entry_id: str) -> None:
    _remember(session, ENTRIES_KEY, entry_id)


def holds_entry(session, entry_id: str) -> bool:
    return entry_id in session.get(ENTRIES_KEY, [])


def remember_participant(session, room_id: str, participant_id: str) -> None:
    participants = dict(session.get(PARTICIPANTS_KEY, {}))
    participants[room_id] = participant_id
    session[PARTICIPANTS_KEY] = dict(list(participants.items())[-MAX_REMEMBERED:])


def participant_id_for(session, room_id: str) -> str | None:
    return session.get(PARTICIPANTS_KEY, {}).get(room_id)


def participant_for(session, user, room_id: str) -> Participant | None:
    """The participant this browser is in `room_id`, if it was admitted or invited."""
    # Who left a running call is out; everybody of an ended call is still recognised, so that
    # a reload is told the call ended instead of "not admitted".
    query = Participant.objects.select_related("room").filter(
        Q(left_at__isnull=True) | Q(room__ended_at__isnull=False), room_id=room_id
    )
    participant_id = participant_id_for(session, room_id)
    if participant_id:
        found = query.filter(pk=participant_id).first()
        if found is not None:
            return found
    # The admitted citizen: this browser holds the queue entry the room was opened for.
    citizen = query.filter(role=Role.CITIZEN).first()
    if citizen is not None and (
        holds_entry(session, citizen.room.queue_entry_id)
        if citizen.room.queue_entry_id
        else entry_taken_back(session, citizen.room) is not None
    ):
        return citizen
    if user is not None and user.is_authenticated:
        return query.filter(role=Role.STAFF, user=user).first()
    return None


def entry_taken_back(session, room: Room) -> str | None:
    """The queue entry this browser holds that waits again because it was taken back from
    `room` (staff took the citizen back, or nobody answered the admission): a page that
    lost its connection during the call and comes back is led to its place at the front,
    not told "not admitted". None otherwise."""
    held = session.get(ENTRIES_KEY, [])
    if not held:
        return None
    return (
        QueueEntry.objects.filter(
            pk__in=held,
            state=EntryState.WAITING,
            department_id=room.department_id,
            missed_call_at=room.created_at,
        )
        .values_list("pk", flat=True)
        .first()
    )


def former_participant(session, user, room: Room) -> Participant | None:
    """Who this browser was in `room`, even after leaving it (for the "call ended" page)."""
    participant_id = participant_id_for(session, room.pk)
    if participant_id:
        return room.participants.filter(pk=participant_id).first()
    # The admitted citizen whose call started in their waiting room: this browser holds
    # the queue entry the room was opened for (the call page, never loaded, noted nothing).
    if room.queue_entry_id and holds_entry(session, room.queue_entry_id):
        return room.participants.filter(role=Role.CITIZEN).first()
    if user is not None and user.is_authenticated:
        return room.participants.filter(user=user).first()
    return None


CALLBACKS_KEY = "bb_callbacks"
# The requests this browser withdrew itself: their page says so, not "handled by the office".
WITHDRAWN_KEY = "bb_callbacks_withdrawn"


def remember_callback(session, callback_id: str) -> None:
    _remember(session, CALLBACKS_KEY, callback_id)


def holds_callback(session, callback_id: str) -> bool:
    return callback_id in session.get(CALLBACKS_KEY, [])


def remember_withdrawn(session, callback_id: str) -> None:
    _remember(session, WITHDRAWN_KEY, callback_id)


def withdrew_callback(session, callback_id: str) -> bool:
    return callback_id in session.get(WITHDRAWN_KEY, [])
