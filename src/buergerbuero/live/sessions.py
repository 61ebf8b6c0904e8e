"""What a browser's session says it holds: its queue entries and call participants.

Citizens have no account; the session cookie (HttpOnly, strictly necessary) is the
only key to their place in the queue and their seat in a call.
"""

ENTRIES_KEY = "bb_queue_entries"
PARTICIPANTS_KEY = "bb_participants"
MAX_REMEMBERED = 10


def remember_entry(session, entry_id: str) -> None:
    entries = [e for e in session.get(ENTRIES_KEY, []) if e != entry_id]
    session[ENTRIES_KEY] = [*entries, entry_id][-MAX_REMEMBERED:]


def holds_entry(session, entry_id: str) -> bool:
    return entry_id in session.get(ENTRIES_KEY, [])


def remember_participant(session, room_id: str, participant_id: str) -> None:
    participants = dict(session.get(PARTICIPANTS_KEY, {}))
    participants[room_id] = participant_id
    session[PARTICIPANTS_KEY] = dict(list(participants.items())[-MAX_REMEMBERED:])


def participant_id_for(session, room_id: str) -> str | None:
    return session.get(PARTICIPANTS_KEY, {}).get(room_id)
