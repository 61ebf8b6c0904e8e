"""The county's homepage embeds the live status with the snippet of docs/deploy.md; when
the office goes down the widget says so and keeps the last state, and recovers by itself."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from ..server import ROOT, free_port
from .flows import OFFICE, set_presence, staff_login

pytestmark = pytest.mark.e2e

# The documented office address, which the test replaces with its server's.
DOCUMENTED_OFFICE = "https://buergerbuero.example.org"


def documented_snippet() -> str:
    """The one HTML block of docs/deploy.md's "Embedding the status on another site", as a
    web editor would paste it."""
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    section = deploy.split("## Embedding the status on another site", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```html\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "one snippet in docs/deploy.md, Embedding the status"
    assert f'<iframe src="{DOCUMENTED_OFFICE}/einbetten/status/"' in blocks[0]
    return blocks[0]


@pytest.fixture
def homepage():
    """The county's homepage on an origin of its own; homepage(office_url) serves the
    snippet pointing at that office and returns the page's URL."""
    port = free_port()
    content = {}

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            body = (
                "<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'>"
                f"<title>Landkreis</title></head><body><h1>Landkreis</h1>{content['html']}"
                "</body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(office_url: str) -> str:
        content["html"] = documented_snippet().replace(DOCUMENTED_OFFICE, office_url)
        return f"http://127.0.0.1:{port}/"

    yield serve, f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def test_the_widget_on_the_homepage_while_the_office_goes_down_and_back(
    own_server, new_page, homepage
):
    serve, homepage_origin = homepage
    office = own_server({"EMBED_ALLOWED_ORIGINS": homepage_origin})
    staff = new_page(base_url=office.url)
    staff_login(staff)
    set_presence(staff, "Available")

    visitor = new_page(base_url=office.url)
    # The badge is drawn by the server first; the office is stopped only once the widget
    # is live (its socket has had the board), or there would be nothing to interrupt.
    with visitor.expect_websocket(lambda socket: "/ws/status/" in socket.url) as opened:
        visitor.goto(serve(office.url))
    opened.value.wait_for_event("framereceived")
    widget = visitor.frame_locator("iframe")
    badge = widget.locator(f'[data-status-for="{OFFICE}"]')
    expect(badge).to_have_text("Open – free")

    office.stop()
    expect(widget.locator("#live-note")).to_have_text("Live status interrupted – reconnecting…")
    expect(badge).to_have_text("Open – free")  # the last known state stays

    office.start()
    expect(widget.locator("#live-note")).to_have_text("", timeout=20_000)
