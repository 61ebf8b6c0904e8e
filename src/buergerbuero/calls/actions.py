"""Rooms, participants and invitations: every change to a call happens here."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from buergerbuero import metrics, notify
from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action

from .errors import InvitationInvalid, NotAllowed, RoomEnded
from .models import Invitation, Participant, Role, Room


def staff_display_name(user) -> str:
    return (user.get_full_name() or user.get_username())[:60]


def open_room(entry, user) -> Room:
    """The private room for an admitted queue entry (called inside admit's transaction)."""
    room = Room.objects.create(department_id=entry.department_id, queue_entry=entry)
    Participant.objects.create(
        room=room,
        role=Role.STAFF,
        user=user,
        display_name=staff_display_name(user),
        seen_at=timezone.now(),
    )
    Participant.objects.create(room=room, role=Role.CITIZEN, display_name=entry.display_name)
    return room


def end_room(
    room_id: str, by: Participant, abandoned: bool = False, reason: str = "", entry_id: str = ""
) -> Room:
    """`abandoned`: the sweeper ends the room because its staff side is gone; nobody on
    the staff ended it. `reason` (with `abandoned`): why, told to whoever is still there
    (`citizen-absent`: the admitted citizen never arrived)."""
    if by.role != Role.STAFF:
        raise NotAllowed()
    now = timezone.now()
    with transaction.atomic():
        updated = Room.objects.filter(pk=room_id, ended_at__isnull=True).update(ended_at=now)
        Participant.objects.filter(room_id=room_id, left_at__isnull=True).update(left_at=now)
        Invitation.objects.filter(room_id=room_id, used_at__isnull=True).update(expires_at=now)
        # The label is usually the guest's name: needed to invite, not after the call.
        Invitation.objects.filter(room_id=room_id).exclude(label="").update(label="")
        room = Room.objects.select_related("department").get(pk=room_id)
        if updated:
            record(
                Action.END_CALL,
                actor=None if abandoned else by.user,
                department_id=room.department_id,
                object_type="room",
                object_id=room_id,
                detail=(reason or "abandoned") if abandoned else "",
            )
    if updated:
        notify.announce_on_commit(
            notify.RoomEnded(room.pk, room.department_id, by.pk, reason, entry_id)
        )
        length = (now - room.created_at).total_seconds()
        metrics.consultation_length.labels(room.department.slug).observe(length)
    return room


def issue_invitation(
    room_id: str, by: Participant, label: str = "", *, sign_language: bool = False
) -> Invitation:
    """A link for one more person; `sign_language` marks them as the sign-language
    interpreter, whose picture every side then shows large."""
    if by.role != Role.STAFF:
        raise NotAllowed()
    room = Room.objects.get(pk=room_id)
    if not room.is_active:
        raise RoomEnded()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            room=room,
            created_by=by.user,
            label=label[:60],
            sign_language=sign_language,
            expires_at=timezone.now() + timedelta(seconds=settings.INVITATION_TTL_SECONDS),
        )
        # The room, not the token: the token is the key to the call until it is used.
        record(
            Action.INVITE,
            actor=by.user,
            department_id=room.department_id,
            object_type="room",
            object_id=room.pk,
            detail="sign-language" if sign_language else "",
        )
    return invitation


def check_invitation(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("room", "room__department").filter(pk=token).first()
    )
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.expires_at <= timezone.now()
        or not invitation.room.is_active
    ):
        raise InvitationInvalid()
    return invitation


def redeem_invitation(token: str, display_name: str) -> Participant:
    """Use an invitation once: a conditional UPDATE lets exactly one redeemer in."""
    now = timezone.now()
    with transaction.atomic():
        invitation = check_invitation(token)
        claimed = Invitation.objects.filter(
            pk=token, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if not claimed:
            raise InvitationInvalid()
        participant = Participant.objects.create(
            room=invitation.room,
            role=Role.GUEST,
            display_name=display_name[:60],
            sign_language=invitation.sign_language,
        )
        Invitation.objects.filter(pk=token).update(used_by=participant)
    return participant


def touch_participant(participant: Participant) -> None:
    Participant.objects.filter(pk=participant.pk).update(seen_at=timezone.now())


def end_abandoned_rooms(now=None) -> int:
    """End active rooms whose staff have not been seen for the grace period: a closed tab
    or a crashed laptop must not leave a department "in a consultation" forever."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.ROOM_ABANDON_SECONDS)
    recently_seen = Participant.objects.filter(
        role=Role.STAFF, left_at__isnull=True, seen_at__gte=cutoff
    ).values("room_id")
    abandoned = Room.objects.filter(ended_at__isnull=True, created_at__lt=cutoff).exclude(
        pk__in=recently_seen
    )
    ended = 0
    for room in abandoned:
        staff = room.participants.filter(role=Role.STAFF).first()
        if staff is not None:
            end_room(room.pk, staff, abandoned=True)
            ended += 1
    return ended


def unanswered_rooms(now=None):
    """Active calls whose admitted citizen has not arrived within CALL_NO_SHOW_SECONDS
    (a page in the background, a tab closed, a browser gone); the queue decides what
    becomes of them (waiting.actions.end_unanswered_admissions)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.CALL_NO_SHOW_SECONDS)
    never_came = Participant.objects.filter(role=Role.CITIZEN, seen_at__isnull=True).values(
        "room_id"
    )
    return Room.objects.filter(
        ended_at__isnull=True, created_at__lt=cutoff, pk__in=never_came
    ).prefetch_related("participants")


def leave_room(participant: Participant) -> None:
    Participant.objects.filter(pk=participant.pk, left_at__isnull=True).update(
        left_at=timezone.now()
    )
    # A staff member who leaves is free again for the status board.
    if participant.role == Role.STAFF:
        notify.announce(notify.StaffingChanged((participant.room.department_id,)))
