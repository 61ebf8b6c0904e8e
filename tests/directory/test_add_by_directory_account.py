"""A staff member added in the staff area by their directory account (a real slapd; the
OpenID Connect backend with the claims a provider sends): no invitation and no password
here; at their first directory sign-in they get the roles given here, whatever their
groups; a disabled directory account is still refused."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from buergerbuero.audit.models import AuditEvent
from buergerbuero.directory import sync
from buergerbuero.directory.models import DirectoryAccount
from buergerbuero.directory.oidc_backend import DirectoryOIDCBackend
from buergerbuero.directory.settings import LDAP_BACKEND, OIDC_BACKEND
from buergerbuero.staff import accounts

from .servers import user_dn
from .test_ldap import mapping, roles_of, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(make_staff):
    return make_staff(administrator=True)


def admin_client(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def add(client, department, **fields):
    return client.post(
        reverse("administration:staff_add"),
        {
            "name": "Bernd Berater",
            "account_type": "directory",
            "directory_source": "ldap",
            f"role_{department.pk}": "lead",
            **fields,
        },
    )


def test_an_ldap_account_added_here_signs_in_with_the_roles_given_here(
    ldap_office, administrator, make_department, django_capture_on_commit_callbacks
):
    wohngeld = make_department(slug="wohngeld", name="Wohngeld")
    kfz = make_department(slug="kfz", name="Kfz")
    # Bernd's groups would make him staff of Kfz: the roles given here win.
    mapping("kfz-team", kfz)
    client = admin_client(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = add(client, wohngeld, directory_account=" Bernd ")
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("administration:staff_list"),
    )
    assert mail.outbox == []
    bernd = get_user_model().objects.get(username="bernd")
    assert not bernd.has_usable_password()
    assert roles_of("bernd") == [("wohngeld", "lead")]
    assert (
        AuditEvent.objects.get(action="add_member").detail == f"{wohngeld.pk}:lead directory ldap"
    )
    listing = client.get(reverse("administration:staff_list")).content.decode()
    assert "Send bernd a link to set the password" not in listing

    _client, signed_in = sign_in("bernd")
    assert (signed_in.status_code, signed_in["Location"]) == (302, reverse("console:home"))
    assert roles_of("bernd") == [("wohngeld", "lead")]
    bernd.refresh_from_db()
    assert (bernd.first_name, bernd.email) == ("Bernd", "bernd@kreis.test")
    account = DirectoryAccount.objects.get(user=bernd)
    assert (account.source, account.subject, account.roles_here) == ("ldap", user_dn("bernd"), True)
    assert account.signed_in_at is not None
    assert AuditEvent.objects.get(action="directory_sign_in").detail == (
        f"ldap: roles given here: lead [{wohngeld.pk}], staff -"
    )


def test_an_unmapped_ldap_account_added_here_signs_in(ldap_office, administrator, make_department):
    wohngeld = make_department(slug="wohngeld")
    # Dora's only group ("kantine") has no mapping: without being added she is refused.
    assert sign_in("dora")[1].status_code == 200
    add(admin_client(administrator), wohngeld, directory_account="dora")
    assert sign_in("dora")[1].status_code == 302
    assert roles_of("dora") == [("wohngeld", "lead")]


def test_a_disabled_directory_account_added_here_is_still_refused(
    ldap_office, administrator, make_department
):
    wohngeld = make_department(slug="wohngeld")
    add(admin_client(administrator), wohngeld, directory_account="carla")
    _client, response = sign_in("carla")
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == [
        "account_disabled"
    ]


def test_a_removed_directory_account_stays_out(ldap_office, administrator, make_department):
    wohngeld = make_department(slug="wohngeld")
    add(admin_client(administrator), wohngeld, directory_account="dora")
    dora = get_user_model().objects.get(username="dora")
    accounts.remove_member(dora, by=administrator)
    _client, response = sign_in("dora")
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == [
        "access_removed"
    ]
    assert roles_of("dora") == []


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"directory_account": ""},
            {
                "directory_account": [
                    "Please enter the directory account (user name, e-mail or subject)."
                ]
            },
        ),
        ({"directory_account": "x", "directory_source": "oidc"}, None),
        (
            {"account_type": "local", "directory_account": "dora"},
            {"email": ["Please enter the e-mail address for the invitation."]},
        ),
    ],
)
def test_bad_directory_member_input_is_named(
    ldap_office, administrator, make_department, fields, errors
):
    wohngeld = make_department(slug="wohngeld")
    response = add(admin_client(administrator), wohngeld, **fields)
    assert response.status_code == 200
    form_errors = response.context["form"].errors
    if errors is None:  # a directory this server does not sign in through
        assert list(form_errors) == ["directory_source"]
    else:
        assert form_errors == errors
    assert get_user_model().objects.count() == 1


def test_an_account_name_that_exists_is_refused(
    ldap_office, administrator, make_department, make_staff
):
    wohngeld = make_department(slug="wohngeld")
    make_staff(wohngeld, username="anna")
    response = add(admin_client(administrator), wohngeld, directory_account="ANNA")
    assert response.context["form"].errors == {
        "directory_account": ["An account with this user name already exists."]
    }


def test_without_a_directory_the_form_offers_local_accounts_only(administrator, make_department):
    make_department()
    page = admin_client(administrator).get(reverse("administration:staff_add")).content.decode()
    assert 'name="account_type"' not in page
    assert 'name="email"' in page


def oidc_claims(**claims):
    return {"groups": [], "given_name": "Olga", "family_name": "Oberhaupt", **claims}


def test_an_oidc_account_added_by_e_mail_is_bound_at_its_first_sign_in(
    settings, administrator, make_department, rf
):
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, OIDC_BACKEND]
    wohngeld = make_department(slug="wohngeld")
    olga = sync.add_directory_member(
        name="Olga Oberhaupt",
        source="oidc",
        account="olga@kreis.test",
        memberships={wohngeld.pk: "lead"},
        by=administrator,
    )
    backend = DirectoryOIDCBackend()
    backend.request = rf.get("/")
    # Not verified: the address does not name her.
    unverified = oidc_claims(
        sub="s-1", preferred_username="olga2", email="olga@kreis.test", email_verified=False
    )
    with pytest.raises(sync.NoMappedGroup):
        backend._sign_in(unverified, "olga2", "s-1")
    claims = oidc_claims(sub="s-1", preferred_username="olga", email="olga@kreis.test")
    assert backend._sign_in(claims, "olga", "s-1") == olga
    account = DirectoryAccount.objects.get(user=olga)
    assert (account.subject, account.roles_here) == ("s-1", True)
    assert roles_of("olga@kreis.test") == [("wohngeld", "lead")]
    # From now on the subject names her, whatever her address becomes.
    later = oidc_claims(sub="s-1", preferred_username="olga", email="o.oberhaupt@kreis.test")
    assert backend._sign_in(later, "olga", "s-1") == olga
    assert DirectoryAccount.objects.filter(user=olga).count() == 1


def test_an_ldap_name_cannot_be_added_twice(settings, administrator, make_department):
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, LDAP_BACKEND]
    wohngeld = make_department(slug="wohngeld")
    sync.add_directory_member(
        name="Dora",
        source="ldap",
        account="dora",
        memberships={wohngeld.pk: "staff"},
        by=administrator,
    )
    with pytest.raises(sync.SubjectTaken):
        sync.add_directory_member(
            name="Dora",
            source="ldap",
            account="Dora",
            memberships={wohngeld.pk: "staff"},
            by=administrator,
        )
