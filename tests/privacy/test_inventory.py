"""The data inventory stays true: every field it names exists, every text field of our
models is either in it or declared not personal, and docs/privacy.md follows it."""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from buergerbuero.privacy.inventory import INVENTORY, stored_fields

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "privacy.md"

# Text columns that hold no personal data, and why.
NOT_PERSONAL = {
    # The office's own descriptions.
    "departments.Department.slug",
    "departments.Department.name",
    "departments.Department.summary",
    "departments.Department.description",
    "departments.Department.time_zone",
    "departments.Department.holiday_country",
    "departments.Department.holiday_subdivision",
    "departments.Department.contact_phone",
    "departments.Department.contact_email",
    "departments.Department.contact_address",
    "bookings.AppointmentKind.name",
    "bookings.AppointmentKind.location",
    "departments.Closure.reason",
    # Random identifiers: the row each one names is classified.
    "waiting.QueueEntry.id",
    "waiting.CallbackRequest.id",
    "calls.Room.id",
    "calls.Participant.id",
    "calls.Invitation.token",
    "bookings.Booking.id",
    "bookings.Booking.code",
    "bookings.Booking.token",
    "staff.ConsoleConnection.channel",  # the channel-layer name of an open console socket
    # Fixed choices.
    "waiting.QueueEntry.state",
    "waiting.QueueEntry.decline_language",  # the staff console's language
    "calls.Participant.role",
    "bookings.AppointmentKind.mode",
    "bookings.OutgoingMail.kind",
    "audit.AuditEvent.object_type",
    # The directory groups an administrator maps: names of groups, not of people.
    "directory.GroupMapping.source",
    "directory.GroupMapping.group",
    "directory.GroupMapping.role",
    # API tokens of the county's systems: an integration's name, not a person's; the
    # secret is stored only as a hash.
    "api.ApiToken.name",
    "api.ApiToken.prefix",
    "api.ApiToken.secret_hash",
    "api.ApiToken.scopes",
}


def _text_fields() -> set[str]:
    found = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("buergerbuero."):
            continue
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, (models.CharField, models.TextField)):
                    found.add(f"{config.label}.{model.__name__}.{field.name}")
    return found


def test_every_field_the_inventory_names_exists():
    missing = []
    for place in sorted(stored_fields()):
        label, model_name, field_name = place.split(".")
        try:
            apps.get_model(label, model_name)._meta.get_field(field_name)
        except (LookupError, FieldDoesNotExist):
            missing.append(place)
    assert missing == []


def test_every_text_field_of_our_models_is_in_the_inventory_or_not_personal():
    # A new column with a name or an address in it must be classified before it ships.
    assert sorted(_text_fields() - stored_fields() - NOT_PERSONAL) == []
    assert sorted(NOT_PERSONAL - _text_fields()) == []
    assert sorted(NOT_PERSONAL & stored_fields()) == []


def test_inventory_keys_are_unique():
    keys = [p.key for p in INVENTORY]
    assert len(keys) == len(set(keys))


def test_docs_name_every_stored_field():
    doc = DOC.read_text()
    missing = [place for place in sorted(stored_fields()) if place.split(".", 1)[1] not in doc]
    assert missing == []


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.name.startswith("test_")
    }


def test_docs_cite_only_tests_that_exist():
    cited = re.findall(r"(tests/[\w/]+\.py)::(test_\w+)", DOC.read_text())
    assert len(cited) >= 10
    missing = [
        f"{path}::{name}"
        for path, name in cited
        if not (ROOT / path).is_file() or name not in _test_functions(ROOT / path)
    ]
    assert missing == []


@pytest.mark.parametrize("processing", INVENTORY, ids=lambda p: p.key)
def test_every_processing_is_explained_in_the_docs(processing):
    assert f"`{processing.key}`" in DOC.read_text()
