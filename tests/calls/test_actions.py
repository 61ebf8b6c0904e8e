"""Rooms and invitations: single use, expiry, ended rooms, hang-up."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from buergerbuero.audit.models import Action, AuditEvent
from buergerbuero.calls import actions
from buergerbuero.calls.errors import InvitationInvalid, NotAllowed, RoomEnded
from buergerbuero.calls.models import Invitation, Participant, Role, Room
from tests.waiting.races import race


def test_issue_invitation_by_staff_expires_after_ttl(make_room, settings):
    settings.INVITATION_TTL_SECONDS = 600
    room, staff, _citizen = make_room()
    before = timezone.now()
    invitation = actions.issue_invitation(room.pk, staff, "Dolmetscherin " + "x" * 80)
    after = timezone.now()
    assert (invitation.room, invitation.created_by, invitation.label, invitation.used_at) == (
        room,
        staff.user,
        ("Dolmetscherin " + "x" * 80)[:60],
        None,
    )
    assert (
        before + timedelta(seconds=600) <= invitation.expires_at <= after + timedelta(seconds=600)
    )
    assert len(invitation.token) == 43  # 256 bits, URL-safe base64


def test_issue_invitation_by_citizen_raises_not_allowed(make_room):
    room, _staff, citizen = make_room()
    with (
        translation.override("en"),
        pytest.raises(NotAllowed, match=r"You are not allowed to do this\."),
    ):
        actions.issue_invitation(room.pk, citizen)
    assert Invitation.objects.count() == 0


def test_issue_invitation_ended_room_raises_room_ended(make_room):
    room, staff, _citizen = make_room()
    actions.end_room(room.pk, staff)
    with (
        translation.override("en"),
        pytest.raises(RoomEnded, match=r"This consultation has ended\."),
    ):
        actions.issue_invitation(room.pk, staff)


def test_redeem_invitation_adds_guest_once(make_room):
    room, staff, _citizen = make_room()
    invitation = actions.issue_invitation(room.pk, staff, "Dolmetscher")
    guest = actions.redeem_invitation(invitation.token, "Eva Übersetzerin")
    invitation.refresh_from_db()
    assert (guest.room, guest.role, guest.display_name, guest.user) == (
        room,
        Role.GUEST,
        "Eva Übersetzerin",
        None,
    )
    assert (invitation.used_by, invitation.used_at is not None) == (guest, True)

    with (
        translation.override("en"),
        pytest.raises(
            InvitationInvalid, match=r"This invitation link is invalid, expired or already used\."
        ),
    ):
        actions.redeem_invitation(invitation.token, "Mallory")
    assert room.participants.filter(role=Role.GUEST).count() == 1


def test_sign_language_invitation_marks_the_guest_and_is_audited(make_room):
    room, staff, _citizen = make_room()
    plain = actions.issue_invitation(room.pk, staff, "Bruder")
    marked = actions.issue_invitation(room.pk, staff, "Frau Yilmaz", sign_language=True)
    assert (plain.sign_language, marked.sign_language) == (False, True)
    assert actions.redeem_invitation(plain.token, "Bruder").sign_language is False
    assert actions.redeem_invitation(marked.token, "Frau Yilmaz").sign_language is True
    details = list(
        AuditEvent.objects.filter(action=Action.INVITE)
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert details == ["", "sign-language"]


def test_redeem_invitation_expired_raises(make_room):
    room, staff, _citizen = make_room()
    invitation = actions.issue_invitation(room.pk, staff)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(InvitationInvalid):
        actions.redeem_invitation(invitation.token, "Eva")
    assert room.participants.count() == 2


def test_redeem_invitation_ended_room_raises(make_room):
    room, staff, _citizen = make_room()
    invitation = actions.issue_invitation(room.pk, staff)
    actions.end_room(room.pk, staff)
    with pytest.raises(InvitationInvalid):
        actions.redeem_invitation(invitation.token, "Eva")


def test_redeem_invitation_unknown_token_raises(db):
    with pytest.raises(InvitationInvalid):
        actions.redeem_invitation("no-such-token", "Eva")


def test_check_invitation_valid_returns_it(make_room):
    room, staff, _citizen = make_room()
    invitation = actions.issue_invitation(room.pk, staff)
    assert actions.check_invitation(invitation.token) == invitation


@pytest.mark.django_db(transaction=True)
def test_redeem_invitation_concurrent_exactly_one_participant(make_room):
    room, staff, _citizen = make_room()
    token = actions.issue_invitation(room.pk, staff).token

    results = race(
        lambda: actions.redeem_invitation(token, "Eva"),
        lambda: actions.redeem_invitation(token, "Mallory"),
    )

    guests = [r for r in results if isinstance(r, Participant)]
    refused = [r for r in results if isinstance(r, InvitationInvalid)]
    assert (len(guests), len(refused)) == (1, 1), results
    assert list(room.participants.filter(role=Role.GUEST)) == guests
    assert Invitation.objects.get(pk=token).used_by == guests[0]


def test_end_room_by_staff_ends_everything(make_room, django_capture_on_commit_callbacks):
    room, staff, citizen = make_room()
    unused = actions.issue_invitation(room.pk, staff)
    used = actions.issue_invitation(room.pk, staff)
    guest = actions.redeem_invitation(used.token, "Eva")
    with django_capture_on_commit_callbacks() as callbacks:
        ended = actions.end_room(room.pk, staff)
    assert ended.ended_at is not None
    assert ended.is_active is False
    assert set(Participant.objects.filter(left_at=ended.ended_at).values_list("pk", flat=True)) == {
        staff.pk,
        citizen.pk,
        guest.pk,
    }
    assert Invitation.objects.get(pk=unused.pk).expires_at == ended.ended_at
    assert len(callbacks) == 1


def test_end_room_empties_the_labels_of_its_invitations_used_or_not(make_room):
    # The label is usually the guest's name; the used link lived on until its expiry.
    room, staff, _citizen = make_room()
    other_room, other_staff, _other = make_room()
    unused = actions.issue_invitation(room.pk, staff, label="Dolmetscherin Yilmaz")
    used = actions.issue_invitation(room.pk, staff, label="Betreuer Nowak")
    actions.redeem_invitation(used.token, "Nowak")
    elsewhere = actions.issue_invitation(other_room.pk, other_staff, label="Frau Weber")
    actions.end_room(room.pk, staff)
    labels = dict(Invitation.objects.values_list("pk", "label"))
    assert labels == {unused.pk: "", used.pk: "", elsewhere.pk: "Frau Weber"}


def test_end_room_twice_keeps_first_end_and_announces_once(
    make_room, django_capture_on_commit_callbacks
):
    room, staff, _citizen = make_room()
    first = actions.end_room(room.pk, staff)
    with django_capture_on_commit_callbacks() as callbacks:
        second = actions.end_room(room.pk, staff)
    assert (second.ended_at, len(callbacks)) == (first.ended_at, 0)


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.GUEST])
def test_end_room_by_non_staff_raises_not_allowed(make_room, role):
    room, staff, citizen = make_room()
    by = (
        citizen
        if role == Role.CITIZEN
        else actions.redeem_invitation(actions.issue_invitation(room.pk, staff).token, "Eva")
    )
    with pytest.raises(NotAllowed):
        actions.end_room(room.pk, by)
    assert Room.objects.get(pk=room.pk).ended_at is None


def test_open_room_names_staff_by_full_name_or_username(make_department, make_staff):
    from buergerbuero.waiting import actions as queue_actions

    department = make_department()
    named = make_staff(department)
    nameless = make_staff(department)
    nameless.first_name = nameless.last_name = ""
    nameless.save()
    first = queue_actions.admit(queue_actions.knock(department, "Ada").pk, named)
    second = queue_actions.admit(queue_actions.knock(department, "Bob").pk, nameless)
    assert first.participants.get(role=Role.STAFF).display_name == named.get_full_name()
    assert second.participants.get(role=Role.STAFF).display_name == nameless.username


def test_leave_room_marks_participant_gone(make_room):
    room, _staff, citizen = make_room()
    actions.leave_room(citizen)
    citizen.refresh_from_db()
    assert (citizen.left_at is not None, Room.objects.get(pk=room.pk).is_active) == (True, True)


@pytest.fixture
def abandon_after_two_minutes(settings):
    settings.ROOM_ABANDON_SECONDS = 120


def age_room(room, staff, *, created_ago, staff_seen_ago):
    now = timezone.now()
    Room.objects.filter(pk=room.pk).update(created_at=now - created_ago)
    seen = None if staff_seen_ago is None else now - staff_seen_ago
    Participant.objects.filter(pk=staff.pk).update(seen_at=seen)
    return now


def test_end_abandoned_rooms_gives_a_new_room_time_to_connect(make_room, abandon_after_two_minutes):
    # Staff not seen yet, but the room is younger than the grace period.
    room, staff, _citizen = make_room()
    now = age_room(room, staff, created_ago=timedelta(seconds=60), staff_seen_ago=None)
    assert actions.end_abandoned_rooms(now) == 0
    assert Room.objects.get(pk=room.pk).ended_at is None


def test_end_abandoned_rooms_ignores_ended_rooms(make_room, abandon_after_two_minutes):
    room, staff, _citizen = make_room()
    actions.end_room(room.pk, staff)
    now = age_room(room, staff, created_ago=timedelta(hours=1), staff_seen_ago=timedelta(hours=1))
    assert actions.end_abandoned_rooms(now) == 0
