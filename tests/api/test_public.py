"""The API's public reads: departments, status, kinds and free slots."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from buergerbuero.bookings.models import Closure
from buergerbuero.live.announce import board_text
from buergerbuero.live.statusboard import hub
from buergerbuero.office.status import board

WEEKDAY_MORNINGS = [(day, 8 * 60, 12 * 60) for day in range(5)]


@pytest.fixture
def live_hub():
    hub.kept_current = True
    yield hub
    hub.kept_current = False
    hub.last_text = None


def test_departments_with_hours_closures_and_status(api, make_department, make_staff, make_kind):
    wohngeld = make_department(
        slug="wohngeld", name="Wohngeld", summary="WBS", hours=[(0, 8 * 60, 12 * 60)], position=1
    )
    make_kind(wohngeld)
    now = datetime.now(UTC).replace(microsecond=0)
    Closure.objects.create(
        department=wohngeld, starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2)
    )
    Closure.objects.create(
        department=wohngeld,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=2),
        reason="Schulung",
    )
    make_department(slug="archiv", is_active=False)

    response = api.get("/api/v1/departments")

    assert (response.status_code, response["Cache-Control"]) == (200, "public, max-age=10")
    row = board()[0]
    assert response.json() == [
        {
            "slug": "wohngeld",
            "name": "Wohngeld",
            "summary": "WBS",
            "time_zone": "Europe/Berlin",
            "status": {
                "state": "closed",
                "next_opening": row.next_opening.isoformat().replace("+00:00", "Z"),
            },
            "opening_hours": [{"weekday": 0, "opens": "08:00", "closes": "12:00"}],
            "closures": [
                {
                    "starts_at": (now + timedelta(days=1)).isoformat().replace("+00:00", "Z"),
                    "ends_at": (now + timedelta(days=2)).isoformat().replace("+00:00", "Z"),
                    "reason": "Schulung",
                }
            ],
            "bookable": True,
        }
    ]


@pytest.mark.parametrize("count", [1, 5])
def test_departments_query_count_is_constant(
    api, make_department, make_staff, make_kind, django_assert_num_queries, live_hub, count
):
    for _ in range(count):
        department = make_department(hours=WEEKDAY_MORNINGS)
        make_staff(department)
        make_kind(department)
        Closure.objects.create(
            department=department,
            starts_at=datetime.now(UTC) + timedelta(days=1),
            ends_at=datetime.now(UTC) + timedelta(days=2),
        )
    live_hub.last_text = board_text()
    # Departments, hours, closures, kinds; the status from the hub.
    with django_assert_num_queries(4):
        response = api.get("/api/v1/departments")
    assert len(response.json()) == count


def test_status_is_the_board_and_from_memory(
    api, make_department, make_staff, live_hub, django_assert_num_queries
):
    make_staff(make_department(slug="wohngeld", name="Wohngeld"))
    live_hub.last_text = board_text()
    with django_assert_num_queries(0):
        response = api.get("/api/v1/status")
    assert response.json() == {
        "departments": [
            {
                "slug": "wohngeld",
                "name": "Wohngeld",
                "state": "open",
                "next_opening": None,
                "time_zone": "Europe/Berlin",
            }
        ]
    }


def test_unknown_department_is_a_json_404(api, db):
    response = api.get("/api/v1/departments/nowhere")
    assert (response.status_code, response.json()) == (
        404,
        {"code": "not_found", "message": "There is nothing at this address."},
    )


def test_kinds_and_slots(api, make_kind, django_assert_num_queries):
    kind = make_kind(minutes=30, name="Beratung")
    slug = kind.department.slug
    kinds = api.get(f"/api/v1/departments/{slug}/kinds")
    assert kinds.json() == [
        {"id": kind.pk, "name": "Beratung", "mode": "video", "duration_minutes": 30, "location": ""}
    ]
    assert kinds["Cache-Control"] == "public, max-age=30"
    slots = api.get(f"/api/v1/departments/{slug}/kinds/{kind.pk}/slots").json()
    assert slots["kind"] == kind.pk
    assert len(slots["slots"]) > 0
    starts = [datetime.fromisoformat(s) for s in slots["slots"]]
    assert starts == sorted(starts)
    assert api.get(f"/api/v1/departments/{slug}/kinds/999999/slots").status_code == 404


def test_wrong_type_in_path_is_a_json_422(api, make_kind):
    kind = make_kind()
    response = api.get(f"/api/v1/departments/{kind.department.slug}/kinds/abc/slots")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["message"] == "Please check your input."


def test_messages_in_the_requests_language(db):
    response = Client(headers={"accept-language": "de"}).get("/api/v1/departments/nowhere")
    assert response.json() == {
        "code": "not_found",
        "message": "Unter dieser Adresse gibt es nichts.",
    }


def test_a_path_that_is_no_endpoint_is_a_json_404(api, db):
    for path in ["/api/v1/departments/", "/api/v1/nothing", "/api/v1/bookings/x/y/z"]:
        response = api.get(path)
        assert (response.status_code, response.json(), response["Cache-Control"]) == (
            404,
            {"code": "not_found", "message": "There is nothing at this address."},
            "private, no-store",
        )


@pytest.mark.parametrize("count", [1, 5])
def test_one_department_and_its_kinds_query_count_is_constant(
    api, make_department, make_kind, django_assert_num_queries, live_hub, count
):
    department = make_department(slug="wohngeld", hours=WEEKDAY_MORNINGS * count)
    for _ in range(count):
        make_kind(department)
    live_hub.last_text = board_text()
    # The department, its hours, closures and kinds.
    with django_assert_num_queries(4):
        detail = api.get("/api/v1/departments/wohngeld")
    assert len(detail.json()["opening_hours"]) == 5 * count
    # The department, its active kinds.
    with django_assert_num_queries(2):
        kinds = api.get("/api/v1/departments/wohngeld/kinds")
    assert len(kinds.json()) == count


def conditional(api, path: str):
    """The first answer, then the same request with its ETag."""
    first = api.get(path)
    assert first.status_code == 200
    again = api.get(path, headers={"if-none-match": first["ETag"]})
    return first, again


def test_departments_and_a_department_answer_304_while_unchanged(
    api, make_department, make_staff, live_hub
):
    department = make_department(slug="wohngeld", name="Wohngeld")
    live_hub.last_text = board_text()
    for path in ("/api/v1/departments", "/api/v1/departments/wohngeld"):
        first, again = conditional(api, path)
        assert first["ETag"].startswith('"') and first["Cache-Control"] == "public, max-age=10"
        assert (again.status_code, again.content) == (304, b"")
        assert (again["ETag"], again["Cache-Control"]) == (first["ETag"], "public, max-age=10")
    before = api.get("/api/v1/departments/wohngeld")
    # A member comes on duty: the live status in the body changes, and so does the ETag.
    make_staff(department)
    live_hub.last_text = board_text()
    after = api.get("/api/v1/departments/wohngeld", headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert (before.json()["status"]["state"], after.json()["status"]["state"]) == (
        "closed",
        "open",
    )
    assert after["ETag"] != before["ETag"]
    # Renaming it in the admin changes the body too.
    department.name = "Wohngeldstelle"
    department.save(update_fields=["name"])
    renamed = api.get("/api/v1/departments", headers={"if-none-match": after["ETag"]})
    assert renamed.status_code == 200


def test_slots_answer_304_until_one_is_booked(api, make_kind):
    from buergerbuero.bookings import actions

    kind = make_kind(minutes=30)
    path = f"/api/v1/departments/{kind.department.slug}/kinds/{kind.pk}/slots"
    first, again = conditional(api, path)
    assert first["Cache-Control"] == "public, max-age=10"
    assert (again.status_code, again.content) == (304, b"")
    actions.book(kind, datetime.fromisoformat(first.json()["slots"][0]), "Ada")
    after = api.get(path, headers={"if-none-match": first["ETag"]})
    assert after.status_code == 200
    assert after.json()["slots"] == first.json()["slots"][1:]


def test_the_status_answers_304_while_the_board_is_unchanged(api, make_department, live_hub):
    make_department(slug="wohngeld")
    live_hub.last_text = board_text()
    first, again = conditional(api, "/api/v1/status")
    assert (first["Cache-Control"], again.status_code, again.content) == ("no-cache", 304, b"")
