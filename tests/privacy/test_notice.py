"""The privacy notice and the record of processing activities, generated from the
settings, the data inventory and each department's policy."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from buergerbuero.privacy.inventory import INVENTORY
from buergerbuero.privacy.models import RetentionPolicy

pytestmark = pytest.mark.django_db

DEFAULT_DAYS = {
    "queue_entries": 1,
    "rooms": 1,
    "invitations": 1,
    "bookings": 30,
    "cancelled_bookings": 7,
    "mails": 7,
    "failed_mails": 7,
}
PUBLIC_TASK = (
    "Art. 6(1)(e) GDPR: performance of a task in the public interest, together with the law "
    "that assigns the department its task."
)
ART_9 = (
    "Where a department handles health or other special categories of data (for example HIV "
    "or pregnancy counselling): in addition Art. 9(2)(h) or (g) GDPR together with the "
    "national law for that counselling service."
)


@pytest.fixture
def controller(settings):
    settings.PRIVACY_CONTROLLER_NAME = "Kreis Musterland, Der Landrat"
    settings.PRIVACY_CONTROLLER_ADDRESS = "Kreishaus, Am Markt 1, 12345 Musterstadt"
    settings.PRIVACY_CONTROLLER_EMAIL = "buergerbuero@kreis-musterland.example"
    settings.PRIVACY_DPO_NAME = "Dr. Dana Schutz"
    settings.PRIVACY_DPO_EMAIL = "datenschutz@kreis-musterland.example"


@pytest.fixture
def departments(make_department):
    housing = make_department(slug="wohngeld", name="Wohngeld")
    health = make_department(slug="hiv", name="HIV-Beratung")
    make_department(slug="alt", name="Alt", is_active=False)
    RetentionPolicy.objects.create(department=health, special_categories=True, bookings_days=10)
    return housing, health


def test_notice_names_controller_dpo_and_periods_per_department(
    english, controller, departments, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = english.get(reverse("privacy:notice"))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Kreis Musterland, Der Landrat",
        "Kreishaus, Am Markt 1, 12345 Musterstadt",
        'href="mailto:datenschutz@kreis-musterland.example"',
        "Dr. Dana Schutz",
        "Art. 77 GDPR",
        "Nothing is recorded.",
    ):
        assert text in page
    # Active departments only, in the overview's order (position, then name).
    assert response.context["departments"] == [
        {
            "slug": "hiv",
            "name": "HIV-Beratung",
            "special_categories": True,
            "legal_bases": [PUBLIC_TASK, ART_9],
            "retention_days": {**DEFAULT_DAYS, "bookings": 10},
        },
        {
            "slug": "wohngeld",
            "name": "Wohngeld",
            "special_categories": False,
            "legal_bases": [PUBLIC_TASK],
            "retention_days": DEFAULT_DAYS,
        },
    ]
    assert [p.key for p, _retention in response.context["processings"]] == [
        p.key for p in INVENTORY
    ]


def test_notice_states_the_periods_in_words(english, departments):
    page = english.get(reverse("privacy:notice")).content.decode()
    for text in (
        "Name, topic, language and message are removed 1 day after you were admitted, "
        "declined or left.",
        "Removed 30 days after the appointment, a cancelled appointment 7 days after the "
        "cancellation.",
        "The session ends 12 hours after your last visit",
        "No log with IP addresses is kept.",
    ):
        assert text in page


def test_notice_follows_the_access_log_setting(english, settings, db):
    settings.PRIVACY_ACCESS_LOG_DAYS = 14
    page = english.get(reverse("privacy:notice")).content.decode()
    assert "Access logs are deleted after 14 days." in page
    assert "No log with IP addresses is kept." not in page


@pytest.mark.parametrize("path", ["public:overview", "privacy:notice"])
def test_every_page_links_the_notice_in_the_footer(english, path, db):
    page = english.get(reverse(path)).content.decode()
    footer = page[page.index('<footer class="site-footer">') :]
    assert f'<a href="{reverse("privacy:notice")}">Privacy notice</a>' in footer


def record_urls():
    return [reverse("privacy:processing_record"), reverse("privacy:processing_record_json")]


def test_record_needs_a_login(english, db):
    for url in record_urls():
        response = english.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("console:login"))


def test_record_is_refused_to_staff_without_the_permission(english, make_staff, departments):
    english.force_login(make_staff(*departments))
    assert [english.get(url).status_code for url in record_urls()] == [403, 403]


def test_record_is_shown_to_staff_with_the_permission(english, make_staff, departments):
    clerk = make_staff(*departments)
    clerk.user_permissions.add(Permission.objects.get(codename="view_processing_record"))
    english.force_login(clerk)
    assert [english.get(url).status_code for url in record_urls()] == [200, 200]


def test_record_as_json_for_a_superuser(english, controller, departments):
    admin = get_user_model().objects.create_superuser("admin", password="pw-for-tests-123")
    english.force_login(admin)
    response = english.get(reverse("privacy:processing_record_json"))
    record = response.json()
    assert sorted(record) == [
        "activities",
        "controller",
        "data_protection_officer",
        "departments",
        "generated_at",
        "technical_and_organisational_measures",
    ]
    assert record["controller"] == {
        "name": "Kreis Musterland, Der Landrat",
        "address": "Kreishaus, Am Markt 1, 12345 Musterstadt",
        "email": "buergerbuero@kreis-musterland.example",
    }
    assert record["data_protection_officer"] == {
        "name": "Dr. Dana Schutz",
        "email": "datenschutz@kreis-musterland.example",
    }
    assert [a["key"] for a in record["activities"]] == [p.key for p in INVENTORY]
    bookings = next(a for a in record["activities"] if a["key"] == "bookings")
    assert bookings == {
        "key": "bookings",
        "title": "Appointments",
        "data_subjects": "Citizens who book, or for whom staff book on the phone.",
        "personal_data": (
            "Name, e-mail address and phone number (both optional), topic (optional), page "
            "language, the appointment's time and kind, its status, and a message from staff "
            "if they cancel."
        ),
        "purpose": (
            "To keep the appointment, let staff prepare and call back, and send confirmation, "
            "change, reminder and cancellation mails."
        ),
        "legal_basis": PUBLIC_TASK,
        "special_categories_possible": True,
        "stored_in": [
            "bookings.Booking.display_name",
            "bookings.Booking.email",
            "bookings.Booking.phone",
            "bookings.Booking.topic",
            "bookings.Booking.language",
            "bookings.Booking.cancel_message",
            "bookings.Booking.starts_at",
            "bookings.Booking.status",
        ],
        "recipients": (
            "Staff of this department (appointments of the day); you, with the booking link "
            "or code."
        ),
        "third_country_transfers": "None.",
        "retention": (
            "Removed 30 days after the appointment, a cancelled appointment 7 days after the "
            "cancellation. At once when you delete it on the “My data” page of your booking."
        ),
        "retention_settings": ["bookings", "cancelled_bookings"],
        "deletion": (
            "Anonymised: the personal fields are emptied, the booking's mails deleted; time, "
            "kind and status remain for the statistics."
        ),
    }
    assert [d["slug"] for d in record["departments"]] == ["hiv", "wohngeld"]


def test_record_as_printable_page(english, departments):
    admin = get_user_model().objects.create_superuser("admin", password="pw-for-tests-123")
    english.force_login(admin)
    page = english.get(reverse("privacy:processing_record")).content.decode()
    assert "Record of processing activities (Art. 30 GDPR)" in page
    for processing in INVENTORY:
        assert f'id="activity-{processing.key}"' in page


def test_notice_says_when_the_operator_left_out_the_controller(english, db):
    page = english.get(reverse("privacy:notice")).content.decode()
    assert "The operator of this office has not entered its name and address yet." in page
