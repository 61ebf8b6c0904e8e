"""A whole visit in real browsers against a real uvicorn with its log at INFO and the
access log on: every line the server writes is one JSON object with the required keys,
and none holds the personal data of the visit (name, topic, e-mail address, booking code)
or the citizen's address."""

import json
import re
import urllib.request
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from .flows import OFFICE, set_presence, staff_login

pytestmark = pytest.mark.e2e

NAME = "Zacharias Quellenbruch"
TOPIC = "Wohngeldantrag Aktenzeichen QX-88231"
EMAIL = "zacharias.quellenbruch@example.net"
CHAT = "Meine Steuer-ID lautet 93847562011"
CLIENT_ADDRESS = "127.0.0.1"
KEYS = {"timestamp", "level", "logger", "message", "request_id"}
REQUEST_ID = "journey-check-0001"
# Not a client's address: the server's own, in the line that says where it listens.
LISTENING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:\d+ \(Press CTRL\+C to quit\)")


def test_a_whole_visit_leaves_only_json_lines_without_personal_data(own_server, new_page, tmp_path):
    server = own_server(
        {
            "LOG_FORMAT": "json",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(tmp_path / "mail"),
            "BOOKING_EARLY_MINUTES": "60",
        },
        flags=["--lifespan", "on", "--log-level", "info"],  # access log on
    )
    citizen = new_page(base_url=server.url)
    staff = new_page(base_url=server.url)
    staff_login(staff)
    set_presence(staff, "Available")

    # Book, with a name, an e-mail address and a topic; then enter with the code.
    citizen.goto(f"/fachbereich/{OFFICE}/termin/")
    citizen.locator("a.slot").first.click()
    citizen.get_by_label("Your name").fill(NAME)
    citizen.get_by_label("E-mail for confirmation and reminder (optional)").fill(EMAIL)
    citizen.get_by_label("Your topic (optional)").fill(TOPIC)
    citizen.get_by_role("button", name="Book").click()
    shown_code = citizen.locator(".booking-code").inner_text()
    citizen.goto(f"/fachbereich/{OFFICE}/")
    citizen.get_by_label("I have an appointment. My booking code:").fill(shown_code)
    citizen.get_by_role("button", name="Enter the waiting room").click()
    expect(citizen.get_by_role("heading", name="Waiting room: E2E Office")).to_be_visible()

    # Admitted; a chat message; the end.
    entry = staff.locator(".queue-entry", has_text=NAME)
    expect(entry).to_contain_text(TOPIC)
    entry.get_by_role("button", name=f"Admit: {NAME}").click()
    expect(citizen).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))
    # Chat goes over the call's socket: once the page says whom it is connected with.
    expect(citizen.get_by_text("You are now connected with")).to_be_visible()
    citizen.get_by_label("Message").fill(CHAT)
    citizen.get_by_role("button", name="Send", exact=True).click()
    expect(staff.locator("#chat-log")).to_contain_text(CHAT)
    staff.get_by_role("button", name="End consultation").click()
    expect(citizen.get_by_role("heading", name="The consultation has ended")).to_be_visible()

    # A request with the proxy's id keeps it, in the answer and in the log.
    request = urllib.request.Request(server.url + "/", headers={"X-Request-ID": REQUEST_ID})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.headers["X-Request-ID"] == REQUEST_ID

    server.stop()
    lines = server.log_path.read_text().splitlines()
    records = [json.loads(line) for line in lines]  # every line, JSON
    for record in records:
        assert record.keys() >= KEYS, record
        assert "color_message" not in record, record
        stamp = datetime.fromisoformat(record["timestamp"])
        assert stamp.utcoffset() == UTC.utcoffset(None), record
    personal = [NAME, TOPIC, EMAIL, CHAT, shown_code, shown_code.replace(" ", "")]
    personal += [*NAME.split(), EMAIL.split("@")[0]]
    for line, record in zip(lines, records, strict=True):
        assert not any(value in line for value in personal), line
        assert CLIENT_ADDRESS not in line or LISTENING.fullmatch(record["message"]), line

    # The log is really written: the visit's requests and handshakes, each with its id.
    messages = {(r["logger"], r["message"]) for r in records}
    assert ("uvicorn.access", '"GET /fachbereich/e2e-office/ HTTP/1.1" 200') in messages
    assert ("uvicorn.error", '"WebSocket /ws/warteraum/***/" [accepted]') in messages
    assert ("uvicorn.access", '"GET / HTTP/1.1" 200') in messages
    [checked] = [r for r in records if r["message"] == '"GET / HTTP/1.1" 200']
    assert checked["request_id"] == REQUEST_ID
    page_ids = [r["request_id"] for r in records if r["logger"] == "uvicorn.access"]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in page_ids if i != REQUEST_ID)
    assert len(set(page_ids)) == len(page_ids)  # one id per request
    [stopping] = [r for r in records if r["logger"] == "buergerbuero.live.shutdown"]
    assert stopping["request_id"] == "-"  # the stop is nobody's request
