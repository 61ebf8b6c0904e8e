"""Staff login attempts per user name and client address, counted in Django's cache
(Redis when there are several processes).

An attempt is counted before the password is checked, so a burst of parallel guesses
cannot slip past the limit; a complete login (password and, where set up, the code) clears
the count. The window starts with the first attempt. The key is a hash: the cache holds
neither user names nor addresses.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from buergerbuero.ratelimit import client_address


def _key(request, username: str) -> str:
    who = f"{username.casefold()}\0{client_address(request)}"
    return "login-attempts:" + hashlib.sha256(who.encode()).hexdigest()


def count_attempt(request, username: str) -> bool:
    """Count this attempt; False once the limit of the window is used up."""
    key = _key(request, username)
    window = settings.LOGIN_ATTEMPT_WINDOW_SECONDS
    if cache.add(key, 1, timeout=window):
        return settings.LOGIN_ATTEMPT_LIMIT >= 1
    try:
        return cache.incr(key) <= settings.LOGIN_ATTEMPT_LIMIT
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, timeout=window)
        return True


def clear_attempts(request, username: str) -> None:
    cache.delete(_key(request, username))
