"""A directory account (LDAP, OpenID Connect) never gets a password here: no reset link,
no invitation, no password set through an old link, no password sign-in. Otherwise its
password here would go around the directory's disabling and group mapping."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from buergerbuero.directory.models import DirectoryAccount
from buergerbuero.staff import accounts

from .test_views import client_of

LOGIN = "/konsole/anmelden/"


@pytest.fixture
def directory_user(make_department, make_staff):
    user = make_staff(make_department(), username="anna")
    user.email = "anna@kreis.test"
    user.set_unusable_password()
    user.save()
    DirectoryAccount.objects.create(user=user, source="ldap", subject="uid=anna,ou=people")
    return user


@pytest.fixture
def administrator(make_staff):
    return make_staff(administrator=True)


def test_no_invitation_for_a_directory_account(directory_user, administrator):
    with pytest.raises(accounts.DirectoryAccountPassword):
        accounts.send_invitation(directory_user, by=administrator)
    assert mail.outbox == []


def test_forgot_password_answers_a_directory_account_as_an_unknown_address(
    directory_user, django_capture_on_commit_callbacks
):
    client = Client(headers={"accept-language": "en"})
    url = reverse("administration:forgot_password")
    with django_capture_on_commit_callbacks(execute=True):
        directory = client.post(url, {"email": "Anna@kreis.test"})
        unknown = client.post(url, {"email": "nobody@kreis.test"})
    assert (directory.status_code, directory["Location"]) == (
        unknown.status_code,
        unknown["Location"],
    )
    assert mail.outbox == []


def test_send_link_refuses_a_directory_account(
    directory_user, administrator, django_capture_on_commit_callbacks
):
    client = client_of(administrator)
    listing = client.get(reverse("administration:staff_list")).content.decode()
    assert "Send anna a link to set the password" not in listing
    assert "County account (directory)" in listing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("administration:staff_invite", args=[directory_user.pk]))
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "This account signs in through the county's directory, so it has no password here. "
        "Its password is changed in the directory."
    ]
    assert mail.outbox == []


def test_set_password_refuses_a_valid_link_of_a_directory_account(directory_user):
    # A link mailed while the account was still local, used after it joined the directory.
    path = accounts.set_link_path(directory_user)
    client = Client(headers={"accept-language": "en"})
    page = client.get(path)
    assert page.status_code == 403
    assert "signs in through the county's directory" in page.content.decode()
    response = client.post(
        path, {"new_password1": "ein-langes-passwort-42", "new_password2": "ein-langes-passwort-42"}
    )
    assert response.status_code == 403
    directory_user.refresh_from_db()
    assert not directory_user.has_usable_password()


def test_a_password_kept_here_does_not_sign_a_directory_account_in(directory_user):
    # Set before the fix, or by a superuser in Django's admin.
    directory_user.set_password("ein-langes-passwort-42")
    directory_user.save()
    response = Client().post(LOGIN, {"username": "anna", "password": "ein-langes-passwort-42"})
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session
    local = get_user_model().objects.create_user("lokal", password="ein-langes-passwort-42")
    local_response = Client().post(
        LOGIN, {"username": "lokal", "password": "ein-langes-passwort-42"}
    )
    assert local_response.wsgi_request.session["_auth_user_id"] == str(local.pk)
