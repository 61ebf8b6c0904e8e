"""Channel-layer group names, in one place: choosing who hears an event is a security
decision (docs/websocket-protocol.md, "Who hears what")."""

# Every waiting citizen of a department (positions, messages to the whole queue).
QUEUE = "queue.{department_id}"
# Every staff console serving a department.
STAFF = "staff.{department_id}"
# The one waiting citizen (admitted, declined, a personal message).
ENTRY = "entry.{entry_id}"
# Everybody in a call, and one participant of it (signalling is addressed).
ROOM = "room.{room_id}"
PARTICIPANT = "participant.{participant_id}"
# Every open console of one staff member (their access changed).
MEMBER = "member.{user_id}"


def queue(department_id: int) -> str:
    return QUEUE.format(department_id=department_id)


def staff(department_id: int) -> str:
    return STAFF.format(department_id=department_id)


def entry(entry_id: str) -> str:
    return ENTRY.format(entry_id=entry_id)


def room(room_id: str) -> str:
    return ROOM.format(room_id=room_id)


def participant(participant_id: str) -> str:
    return PARTICIPANT.format(participant_id=participant_id)


def member(user_id: int) -> str:
    return MEMBER.format(user_id=user_id)
