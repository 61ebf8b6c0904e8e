"""The security settings: a role that requires an authenticator app is led to set one up
at sign-in, before any other staff page."""

from django.test import Client
from django.urls import reverse

from buergerbuero.audit.models import AuditEvent
from buergerbuero.policy.models import SecurityPolicy

from ..factories import PASSWORD


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    response = client.post(
        reverse("console:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_a_required_second_factor_comes_first(make_department, make_staff):
    department = make_department()
    administrator = make_staff(administrator=True)
    lead, member = make_staff(department, role="lead"), make_staff(department)
    response = signed_in(administrator).post(
        reverse("administration:security"), {"second_factor_leads": "on"}
    )
    assert response.status_code == 302
    assert list(
        SecurityPolicy.objects.values_list(
            "second_factor_administrators", "second_factor_leads", "second_factor_staff"
        )
    ) == [(False, True, False)]
    assert AuditEvent.objects.filter(action="change_security_policy").count() == 1

    client = signed_in(lead)
    for page in (reverse("console:home"), reverse("administration:home")):
        response = client.get(page)
        assert (response.status_code, response["Location"]) == (
            302,
            reverse("console:second_factor"),
        )
    assert client.get(reverse("console:second_factor")).status_code == 200
    # Staff are not required to.
    assert signed_in(member).get(reverse("console:home")).status_code == 200


def test_sign_ins_and_failed_sign_ins_are_audited(make_department, make_staff):
    member = make_staff(make_department())
    signed_in(member)
    Client().post(reverse("console:login"), {"username": member.username, "password": "wrong"})
    Client().post(reverse("console:login"), {"username": "my-password-typed-here", "password": "x"})
    assert list(AuditEvent.objects.order_by("id").values_list("action", "object_id", "detail")) == [
        ("sign_in", str(member.pk), ""),
        ("sign_in_failed", str(member.pk), member.username),
        ("sign_in_failed", "", "unknown account"),
    ]
