"""Documents in the call: a PDF or a picture goes from one browser to the others over the
call's own data channels, peer to peer, and never through the server.

Every request and every socket frame the three browsers send or receive is recorded: the
file's bytes are in none of them, and none is big enough to have carried it.
"""

import hashlib
import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .accessibility import assert_accessible, horizontal_overflow, screenshot
from .flows import knock, set_presence, staff_login, wait_for_media

pytestmark = pytest.mark.e2e

CALL_URL = re.compile(r"/gespraech/[\w-]+/$")
# 20 MB (file-share.js MAX_FILE_BYTES).
LIMIT = 20 * 1024 * 1024
TRANSFER_MS = 20_000


def make_pdf(marker: bytes, size: int = 300_000) -> bytes:
    """A one-page PDF saying "Antrag", with a marker to look for in the traffic, and an
    unused stream of random (incompressible) bytes to make it far longer than one chunk."""
    page = b"BT /F1 24 Tf 50 100 Td (Antrag) Tj ET"
    head = (
        b"%PDF-1.4\n%" + marker + b"\n"
        b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
        b"4 0 obj<</Length %d>>stream\n%s\nendstream endobj\n"
        b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n" % (len(page), page)
    )
    tail = b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    filler = size - len(head) - len(tail) - len(b"6 0 obj<</Length 0000000>>stream\n")
    return head + b"6 0 obj<</Length %07d>>stream\n" % filler + secrets.token_bytes(filler) + tail


def make_png(marker: bytes) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + marker + secrets.token_bytes(40_000)


class Traffic:
    """What the browsers of a context send to the server and hear back: request bodies and
    socket frames."""

    def __init__(self):
        self.requests: list[tuple[str, str, bytes]] = []
        self.frames: list[bytes] = []

    def watch(self, page: Page) -> None:
        page.context.on(
            "request",
            lambda request: self.requests.append(
                (request.method, request.url, request.post_data_buffer or b"")
            ),
        )
        page.context.on("websocket", self._socket)

    def _socket(self, socket) -> None:
        for event in ("framesent", "framereceived"):
            socket.on(event, lambda payload: self.frames.append(_bytes(payload)))

    def mark(self) -> tuple[int, int]:
        return len(self.requests), len(self.frames)

    def since(self, mark: tuple[int, int]):
        return self.requests[mark[0] :], self.frames[mark[1] :]


def _bytes(payload) -> bytes:
    return payload.encode() if isinstance(payload, str) else bytes(payload)


def assert_not_carried(traffic: Traffic, mark, content: bytes, marker: bytes) -> None:
    requests, frames = traffic.since(mark)
    bodies = [body for _, _, body in requests] + frames
    assert [b for b in bodies if marker in b or marker.hex().encode() in b] == []
    # Whatever the encoding: all that went to the server and back together is far smaller
    # than the file.
    assert sum(len(b) for b in bodies) < len(content) // 10, [
        (method, url, len(body)) for method, url, body in requests
    ] + [len(frame) for frame in frames]
    assert [(m, u) for m, u, _ in requests if m not in ("GET", "HEAD")] == []


def saved(page: Page, name: str) -> bytes:
    """The file as the person saves it with the "Save" link."""
    item = page.locator(".file-item", has_text=name)
    with page.expect_download() as info:
        item.get_by_role("link", name=re.compile(r"^Save")).click()
    download = info.value
    assert download.suggested_filename == name
    return download.path().read_bytes()


def choose(page: Page, folder: Path, name: str, content: bytes) -> None:
    """The person picks a file from their disk in the file chooser."""
    path = folder / name
    path.write_bytes(content)
    page.get_by_label(re.compile("^(Document to send|Zu sendendes Dokument)$")).set_input_files(
        path
    )


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def three_way_call(new_page, traffic: Traffic):
    staff = new_page()
    traffic.watch(staff)
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page()
    traffic.watch(citizen)
    knock(citizen, "Aylin Demir")
    staff.get_by_role("button", name="Admit: Aylin Demir").click()
    expect(citizen).to_have_url(CALL_URL)
    wait_for_media(citizen, 1)
    staff.get_by_role("button", name="Invite a third person").click()
    staff.get_by_label("Name of the person (optional)").fill("Dolmetscherin")
    staff.get_by_role("button", name="Create link").click()
    link = staff.get_by_label("Invitation link")
    expect(link).to_have_value(re.compile(r"/einladung/"))
    interpreter = new_page()
    traffic.watch(interpreter)
    interpreter.goto(link.input_value())
    interpreter.get_by_role("button", name="Join").click()
    expect(interpreter).to_have_url(citizen.url)
    for page in (citizen, staff, interpreter):
        wait_for_media(page, 2)
    return citizen, staff, interpreter


def test_a_pdf_reaches_both_others_peer_to_peer_and_a_picture_comes_back(new_page, tmp_path):
    traffic = Traffic()
    citizen, staff, interpreter = three_way_call(new_page, traffic)
    expect(citizen.locator("#file-empty")).to_have_text("No documents yet.")

    marker = secrets.token_hex(16).encode()
    pdf = make_pdf(marker)
    before = traffic.mark()
    choose(citizen, tmp_path, "Antrag Wohngeld.pdf", pdf)
    citizen.get_by_role("button", name="Send document").click()
    # Sent means it has left the browser: a few seconds on a busy test machine.
    expect(citizen.locator("#call-status")).to_have_text(
        re.compile(
            r"^Antrag Wohngeld\.pdf was sent to (Erika Muster, Dolmetscherin|Dolmetscherin, Erika Muster)\.$"
        ),
        timeout=TRANSFER_MS,
    )
    expect(citizen.locator(".file-item")).to_have_text(
        "Antrag Wohngeld.pdf PDF, 293 kB – sent by you"
    )
    expect(citizen.get_by_label("Document to send")).to_have_value("")

    # Both others see name, type, size and sender, announced, and nothing opened by itself.
    for page in (staff, interpreter):
        item = page.locator(".file-item")
        expect(item).to_have_count(1, timeout=TRANSFER_MS)
        expect(item).to_contain_text("Antrag Wohngeld.pdf PDF, 293 kB – from Aylin Demir")
        expect(page.locator("#call-status")).to_have_text(
            "Aylin Demir sent you a document: Antrag Wohngeld.pdf"
        )
        assert len(page.context.pages) == 1
        # Saved, it is the very file.
        assert sha256(saved(page, "Antrag Wohngeld.pdf")) == sha256(pdf)
    assert_not_carried(traffic, before, pdf, marker)

    # Opened: a tab of its own with the document, of this office's origin, as a PDF.
    with interpreter.context.expect_page() as opened:
        interpreter.locator(".file-item").get_by_role("link", name=re.compile("^Open")).click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url.startswith("blob:" + citizen.url.split("/gespraech/")[0])
    assert tab.evaluate("() => document.contentType") == "application/pdf"
    tab.close()

    # Staff send a picture back: both others get it as well.
    marker = secrets.token_hex(16).encode()
    png = make_png(marker)
    before = traffic.mark()
    choose(staff, tmp_path, "Stempel.png", png)
    staff.get_by_role("button", name="Send document").click()
    for page in (citizen, interpreter):
        expect(page.locator(".file-item", has_text="Stempel.png")).to_contain_text(
            "PNG, 39.1 kB – from Erika Muster", timeout=TRANSFER_MS
        )
        assert sha256(saved(page, "Stempel.png")) == sha256(png)
    assert_not_carried(traffic, before, png, marker)

    assert_accessible(citizen, "call with documents, English")
    for page in (citizen, staff, interpreter):
        assert page.console_errors == []


def test_a_refused_or_too_large_file_is_explained_and_nothing_is_sent_in_german(new_page, tmp_path):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page(viewport={"width": 320, "height": 640})
    knock(citizen, "Jonas Weber")
    staff.get_by_role("button", name="Admit: Jonas Weber").click()
    expect(citizen).to_have_url(CALL_URL)
    citizen.locator("#language-select").select_option("de")
    citizen.locator(".language-switcher button").click()
    expect(citizen.locator("html")).to_have_attribute("lang", "de")
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)

    field = citizen.get_by_label("Zu sendendes Dokument")
    error = citizen.locator("#file-error")
    send = citizen.get_by_role("button", name="Dokument senden")

    # A text file that calls itself a PDF.
    choose(citizen, tmp_path, "rechnung.pdf", b"Hallo, kein PDF")
    send.click()
    refused = (
        "Diese Datei kann nicht gesendet werden: Nur PDF-Dokumente und Bilder "
        "(JPEG, PNG, WebP) sind möglich."
    )
    expect(error).to_have_text(refused)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(re.escape(refused)))
    expect(citizen.locator("#call-status")).to_have_text(refused)

    # A program.
    choose(citizen, tmp_path, "setup.exe", b"MZ\x90\x00" * 100)
    send.click()
    expect(error).to_have_text(refused)

    # Over the limit, though a real PDF.
    choose(citizen, tmp_path, "scan.pdf", make_pdf(b"big", LIMIT + 5 * 1024 * 1024))
    send.click()
    expect(error).to_have_text(
        "Diese Datei ist zu groß (25 MB). Dateien bis 20 MB können gesendet werden."
    )
    expect(field).to_have_accessible_description(re.compile("zu groß"))

    # Nothing arrived.
    expect(staff.locator("#file-empty")).to_be_visible()
    assert staff.locator(".file-item").count() == 0

    # A fitting file clears the message and goes through.
    choose(citizen, tmp_path, "Foto.jpg", b"\xff\xd8\xff\xe0" + bytes(5000))
    expect(error).to_be_hidden()
    expect(field).not_to_have_attribute("aria-invalid", "true")
    send.click()
    expect(staff.locator(".file-item")).to_contain_text(
        "Foto.jpg JPEG, 4.9 kB – from Jonas Weber", timeout=TRANSFER_MS
    )
    expect(citizen.locator(".file-item")).to_have_text("Foto.jpg JPEG, 4,9 kB – von Ihnen gesendet")

    # The list and an error at 320 px: no sideways scrolling, axe clean in German.
    choose(citizen, tmp_path, "notiz.txt", b"x")
    send.click()
    expect(error).to_be_visible()
    assert horizontal_overflow(citizen) == []
    screenshot(citizen, "call-documents-de-320")
    assert_accessible(citizen, "call with documents and an error, German, 320 px")
    assert citizen.console_errors == []
