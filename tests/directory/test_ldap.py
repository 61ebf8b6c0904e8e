"""Staff sign in with their directory account (a real slapd): groups become roles through
the administrator's mapping, a disabled account or one without a mapped group is refused
with a clear message, and a directory that is down leaves local accounts working."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from buergerbuero.audit.models import AuditEvent
from buergerbuero.directory.models import DirectoryAccount, GroupMapping
from buergerbuero.staff import accounts
from buergerbuero.staff.models import Membership, StaffProfile

from .servers import PASSWORD, group_dn, user_dn

pytestmark = pytest.mark.django_db

LOGIN = "/konsole/anmelden/"


def sign_in(username, password=PASSWORD, client=None):
    client = client or Client()
    return client, client.post(LOGIN, {"username": username, "password": password})


def roles_of(username):
    return sorted(
        (m.department.slug, m.role)
        for m in Membership.objects.filter(profile__user__username=username).select_related(
            "department"
        )
    )


def form_errors(response):
    return [str(e) for e in response.context["form"].non_field_errors()]


@pytest.fixture
def wohngeld(make_department):
    return make_department(slug="wohngeld", name="Wohngeld")


@pytest.fixture
def kfz(make_department):
    return make_department(slug="kfz", name="Kfz-Zulassung")


def mapping(group, department=None, role="staff", administrator=False, source="ldap"):
    return GroupMapping.objects.create(
        source=source,
        group=group_dn(group) if source == "ldap" else group,
        department=department,
        role=role,
        administrator=administrator,
    )


def test_ldap_member_of_the_lead_group_signs_in_as_lead(ldap_office, wohngeld):
    mapping("wohngeld-leitung", wohngeld, "lead")
    client, response = sign_in("anna")
    assert (response.status_code, response["Location"]) == (302, reverse("console:home"))
    user = get_user_model().objects.get(username="anna")
    assert (user.first_name, user.last_name, user.email) == ("Anna", "Leitner", "anna@kreis.test")
    assert not user.has_usable_password()
    assert roles_of("anna") == [("wohngeld", "lead")]
    assert StaffProfile.objects.get(user=user).is_administrator is False
    account = DirectoryAccount.objects.get(user=user)
    assert (account.source, account.subject) == ("ldap", user_dn("anna"))
    event = AuditEvent.objects.get(action="directory_sign_in")
    assert (event.actor_id, event.object_id, event.detail) == (
        user.pk,
        str(user.pk),
        f"ldap: lead [{wohngeld.pk}], staff -",
    )
    settings_page = client.get(reverse("console:booking_settings", args=["wohngeld"]))
    assert settings_page.status_code == 200


def test_group_dns_match_whatever_their_case(ldap_office, wohngeld):
    GroupMapping.objects.create(
        source="ldap", group=group_dn("wohngeld-leitung").upper(), department=wohngeld, role="lead"
    )
    assert sign_in("anna")[1].status_code == 302
    assert roles_of("anna") == [("wohngeld", "lead")]


def test_memberships_are_replaced_at_every_sign_in(ldap_office, wohngeld, kfz):
    team = mapping("wohngeld-team", wohngeld)
    kfz_mapping = mapping("kfz-team", kfz, "lead")
    assert sign_in("bernd")[1].status_code == 302
    assert roles_of("bernd") == [("kfz", "lead"), ("wohngeld", "staff")]
    # Someone made him lead of Wohngeld by hand; the Kfz mapping is gone.
    kept = Membership.objects.get(profile__user__username="bernd", department=wohngeld)
    Membership.objects.filter(pk=kept.pk).update(role="lead")
    kfz_mapping.delete()
    assert sign_in("bernd")[1].status_code == 302
    assert roles_of("bernd") == [("wohngeld", "staff")]
    # The membership stays where the department stays (signing in starts offline anyway).
    assert Membership.objects.get(profile__user__username="bernd").pk == kept.pk
    team.delete()
    _client, refused = sign_in("bernd")
    assert refused.status_code == 200
    assert roles_of("bernd") == [("wohngeld", "staff")]  # untouched: nothing was applied


def test_the_higher_of_two_mapped_roles_wins_and_never_more(ldap_office, wohngeld):
    mapping("wohngeld-team", wohngeld, "staff")
    mapping("kfz-team", wohngeld, "lead")
    assert sign_in("bernd")[1].status_code == 302
    assert roles_of("bernd") == [("wohngeld", "lead")]
    assert StaffProfile.objects.get(user__username="bernd").is_administrator is False


def test_administrator_group(ldap_office, wohngeld):
    mapping("it-admins", None, administrator=True)
    client, response = sign_in("erik")
    assert response.status_code == 302
    assert StaffProfile.objects.get(user__username="erik").is_administrator is True
    assert roles_of("erik") == []
    assert client.get(reverse("console:directory")).status_code == 200
    # The mapping goes: the next sign-in takes administration away.
    GroupMapping.objects.all().delete()
    mapping("it-admins", wohngeld)
    assert sign_in("erik")[1].status_code == 302
    assert StaffProfile.objects.get(user__username="erik").is_administrator is False


def test_a_user_without_a_mapped_group_is_refused(ldap_office, wohngeld):
    mapping("wohngeld-leitung", wohngeld, "lead")
    _client, response = sign_in("dora")
    assert response.status_code == 200
    assert form_errors(response) == [
        "Ihr Verzeichniskonto ist in keiner Gruppe, die Zugang zum Bürgerbüro hat. "
        "Bitte wenden Sie sich an die IT des Landkreises, damit sie Sie der richtigen Gruppe "
        "hinzufügt."
    ]
    assert not get_user_model().objects.filter(username="dora").exists()
    event = AuditEvent.objects.get(action="directory_refused")
    assert (event.actor_id, event.object_id, event.detail) == (
        None,
        "dora",
        "ldap: no_mapped_group",
    )


def test_a_disabled_directory_account_is_refused(ldap_office, wohngeld):
    mapping("wohngeld-team", wohngeld)
    _client, response = sign_in("carla")
    assert response.status_code == 200
    assert form_errors(response) == [
        "Ihr Verzeichniskonto ist gesperrt. Bitte wenden Sie sich an die IT des Landkreises."
    ]
    assert not get_user_model().objects.filter(username="carla").exists()
    assert AuditEvent.objects.get(action="directory_refused").detail == "ldap: account_disabled"


def test_a_wrong_directory_password_is_a_wrong_password(ldap_office, wohngeld):
    mapping("wohngeld-leitung", wohngeld, "lead")
    _client, response = sign_in("anna", "falsch")
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == [
        "invalid_login"
    ]
    assert not get_user_model().objects.filter(username="anna").exists()


def test_a_local_account_of_the_same_name_is_not_taken_over(ldap_office, wohngeld, make_staff):
    mapping("wohngeld-leitung", wohngeld, "lead")
    local = make_staff(wohngeld, username="anna")
    _client, response = sign_in("anna")
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == [
        "local_account_clash"
    ]
    assert roles_of("anna") == [("wohngeld", "staff")]
    local.refresh_from_db()
    assert local.has_usable_password()


def test_directory_down_says_so_and_local_accounts_still_sign_in(
    stopped_slapd, wohngeld, make_staff
):
    mapping("wohngeld-leitung", wohngeld, "lead")
    stopped_slapd.stop()
    started = time.monotonic()
    _client, response = sign_in("anna")
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert form_errors(response) == [
        "Das Verzeichnis ist nicht erreichbar, daher können sich Verzeichniskonten gerade "
        "nicht anmelden. Bitte versuchen Sie es in einigen Minuten erneut; lokale Konten "
        "funktionieren weiterhin."
    ]
    make_staff(wohngeld, username="lokal", password="lokal-pw-789")
    _client, local = sign_in("lokal", "lokal-pw-789")
    assert (local.status_code, local["Location"]) == (302, reverse("console:home"))


def test_directory_login_goes_through_the_authenticator_code(ldap_office, wohngeld):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    mapping("wohngeld-leitung", wohngeld, "lead")
    assert sign_in("anna")[1].status_code == 302
    device = TOTPDevice.objects.create(
        user=get_user_model().objects.get(username="anna"), name="app", confirmed=True
    )
    _client, without_code = sign_in("anna")
    assert without_code.status_code == 200
    assert [e.code for e in without_code.context["form"].errors.as_data()["__all__"]] == [
        "invalid_code"
    ]
    code = f"{totp(device.bin_key):06d}"
    client = Client()
    response = client.post(LOGIN, {"username": "anna", "password": PASSWORD, "otp_token": code})
    assert response.status_code == 302
    assert client.get(reverse("console:home")).status_code == 200


def test_an_ldap_account_cannot_get_a_password_here(
    ldap_office, wohngeld, django_capture_on_commit_callbacks
):
    mapping("wohngeld-leitung", wohngeld, "lead")
    sign_in("anna")
    anna = get_user_model().objects.get(username="anna")
    with django_capture_on_commit_callbacks(execute=True):
        forgot = Client().post(
            reverse("administration:forgot_password"), {"email": "anna@kreis.test"}
        )
    assert forgot.status_code == 302
    assert mail.outbox == []
    # Even a link made for her cannot set one ...
    path = accounts.set_link_path(anna)
    refused = Client().post(
        path, {"new_password1": "lokal-pw-98765", "new_password2": "lokal-pw-98765"}
    )
    assert refused.status_code == 403
    anna.refresh_from_db()
    assert not anna.has_usable_password()
    # ... and the directory's password still signs her in, through the directory.
    _client, response = sign_in("anna")
    assert response.status_code == 302
