"""Staff login attempts per user name and client address, counted in Django's cache
(Redis when there are several processes).

An attempt is counted before the password is checked, so a burst of parallel guesses
cannot slip past the limit; a complete login (password and, where set up, the code) clears
the count. The window starts with the first attempt. The key is a hash: the cache holds
neither user names nor addresses. When the shared cache cannot be reached the attempts
are counted in the process's memory (`ratelimit.count`): stopping Redis does not lift
the limit.
"""

import hashlib

from django.conf import settings

from buergerbuero.ratelimit import client_address, count, forget


def _key(request, username: str) -> str:
    who = f"{username.casefold()}\0{client_address(request)}"
    return "login-attempts:" + hashlib.sha256(who.encode()).hexdigest()


def count_attempt(request, username: str) -> bool:
    """Count this attempt; False once the limit of the window is used up."""
    attempts = count(_key(request, username), settings.LOGIN_ATTEMPT_WINDOW_SECONDS)
    return attempts <= settings.LOGIN_ATTEMPT_LIMIT


def clear_attempts(request, username: str) -> None:
    forget(_key(request, username))
