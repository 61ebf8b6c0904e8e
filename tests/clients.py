"""A person's browser over plain HTTP, for tests against a real server (a uvicorn of
tests/server.py): a cookie jar, pages read, forms posted with their CSRF token."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request


class Browser:
    """A cookie jar and a form poster: one person's browser over plain HTTP."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, form: dict, page: str) -> tuple[int, str]:
        """POST `form` with the CSRF token of `page` (read first, as a browser would)."""
        status, html = self.get(page)
        assert status == 200, (page, status)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token is not None, page
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token[1], **form}).encode()
        request = urllib.request.Request(
            self.base + path, data=data, headers={"Referer": self.base + page}
        )
        return self._open(request)

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location", "")
            return error.code, location or error.read().decode(errors="replace")

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect comes back as HTTPError with its Location
