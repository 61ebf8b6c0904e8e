"""Administrators edit which directory group gives which role (/konsole/verzeichnis/):
labelled fields, errors linked to their field, removal after a confirmation, every change
audited."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from buergerbuero.audit.models import AuditEvent
from buergerbuero.directory.models import GroupMapping

from ..security.fuzz_support import logged_in

pytestmark = pytest.mark.django_db

GROUP = "cn=wohngeld-leitung,ou=groups,dc=kreis,dc=test"


@pytest.fixture
def admin_client(make_staff):
    return logged_in(make_staff(administrator=True))[0]


def test_an_administrator_adds_a_mapping(admin_client, make_department):
    wohngeld = make_department(slug="wohngeld", name="Wohngeld")
    page = admin_client.get(reverse("console:directory"))
    assert page.status_code == 200
    for label in ('for="id_source"', 'for="id_group"', 'for="id_department"', 'for="id_role"'):
        assert label in page.content.decode()
    response = admin_client.post(
        reverse("console:directory"),
        {"source": "ldap", "group": f"  {GROUP} ", "department": wohngeld.pk, "role": "lead"},
    )
    assert (response.status_code, response["Location"]) == (302, reverse("console:directory"))
    mapping = GroupMapping.objects.get()
    assert (mapping.source, mapping.group, mapping.department, mapping.role) == (
        "ldap",
        GROUP,
        wohngeld,
        "lead",
    )
    assert mapping.administrator is False
    event = AuditEvent.objects.get(action="add_group_mapping")
    assert (event.object_id, event.department_id, event.detail) == (
        str(mapping.pk),
        wohngeld.pk,
        "ldap: lead",
    )
    listing = admin_client.get(reverse("console:directory")).content.decode()
    assert GROUP in listing


def test_errors_are_linked_to_their_fields(admin_client):
    response = admin_client.post(
        reverse("console:directory"), {"source": "ldap", "group": "  ", "role": "staff"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    assert sorted(form.errors) == ["department", "group"]
    assert 'aria-describedby="id_group-error id_group-help"' in html
    assert 'id="id_group-error"' in html
    assert 'aria-describedby="id_department-error"' in html
    assert 'href="#id_department"' in html
    assert GroupMapping.objects.count() == 0


def test_a_duplicate_mapping_is_refused(admin_client, make_department):
    wohngeld = make_department(slug="wohngeld")
    GroupMapping.objects.create(source="ldap", group=GROUP, department=wohngeld, role="staff")
    response = admin_client.post(
        reverse("console:directory"),
        {"source": "ldap", "group": GROUP.upper(), "department": wohngeld.pk, "role": "lead"},
    )
    assert response.status_code == 200
    assert [str(e) for e in response.context["form"].errors["group"]] == [
        "This group is already mapped to this department."
    ]
    assert GroupMapping.objects.count() == 1


def test_removal_asks_first_and_is_audited(admin_client, make_department):
    mapping = GroupMapping.objects.create(
        source="oidc", group="/it", department=None, role="staff", administrator=True
    )
    url = reverse("console:remove_group_mapping", args=[mapping.pk])
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert GroupMapping.objects.filter(pk=mapping.pk).exists()
    response = admin_client.post(url)
    assert (response.status_code, response["Location"]) == (302, reverse("console:directory"))
    assert not GroupMapping.objects.exists()
    event = AuditEvent.objects.get(action="remove_group_mapping")
    assert (event.object_id, event.detail) == (str(mapping.pk), "oidc: staff, administrator")
    assert admin_client.post(url).status_code == 404


def test_only_administrators(make_staff, make_department):
    lead = make_staff(make_department(), role="lead")
    client = logged_in(lead)[0]
    assert client.get(reverse("console:directory")).status_code == 403
    assert client.post(reverse("console:directory"), {"source": "ldap"}).status_code == 403
    superuser = get_user_model().objects.create_superuser("root", password="pw-for-tests-123")
    assert logged_in(superuser)[0].get(reverse("console:directory")).status_code == 200
