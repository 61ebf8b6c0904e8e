"""coturn REST-API credentials: "<expiry>:<id>" and base64(HMAC-SHA1(secret, username))."""

import base64
import hashlib
import hmac
import re
import time

from buergerbuero.calls.turn import ice_servers_for, turn_credentials


def expected_credential(secret: str, username: str) -> str:
    return base64.b64encode(
        hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    ).decode()


def test_turn_credentials_fixed_input_exact_value():
    result = turn_credentials("p4rt1c1pant", "coturn-static-secret", 3600, now=1_767_225_600.75)
    assert result == {
        "username": "1767229200:p4rt1c1pant",
        "credential": expected_credential("coturn-static-secret", "1767229200:p4rt1c1pant"),
    }
    # The same value as computed by coturn's documented recipe (openssl dgst -sha1 -hmac | base64).
    assert result["credential"] == "Ne/VDpdIaKLD1fmEsbZ8KbWc33w="


def test_turn_credentials_default_now_is_current_time():
    before = int(time.time())
    result = turn_credentials("abc", "s", 60)
    after = int(time.time())
    expiry = int(result["username"].split(":")[0])
    assert before + 60 <= expiry <= after + 60
    assert result == {
        "username": f"{expiry}:abc",
        "credential": expected_credential("s", f"{expiry}:abc"),
    }


def test_ice_servers_for_with_turn_adds_credentials(settings):
    settings.ICE_SERVERS = [{"urls": "stun:stun.kreis.example:3478"}]
    settings.TURN_URLS = [
        "turn:turn.kreis.example:3478?transport=udp",
        "turns:turn.kreis.example:5349",
    ]
    settings.TURN_SECRET = "geheim"
    settings.TURN_CREDENTIAL_TTL_SECONDS = 900
    before = int(time.time())
    servers = ice_servers_for("participant-1")
    after = int(time.time())
    username = servers[1]["username"]
    expiry, user_part = username.split(":")
    assert before + 900 <= int(expiry) <= after + 900
    assert servers == [
        {"urls": "stun:stun.kreis.example:3478"},
        {
            "urls": ["turn:turn.kreis.example:3478?transport=udp", "turns:turn.kreis.example:5349"],
            "username": username,
            "credential": expected_credential("geheim", username),
        },
    ]
    # The relay's logs cannot be linked to a participant: a random user part each time.
    assert re.fullmatch(r"[0-9a-f]{16}", user_part)
    assert ice_servers_for("participant-1")[1]["username"] != username


def test_ice_servers_for_without_secret_has_no_turn(settings):
    settings.ICE_SERVERS = [{"urls": "stun:stun.kreis.example:3478"}]
    settings.TURN_URLS = ["turn:turn.kreis.example:3478"]
    settings.TURN_SECRET = ""
    assert ice_servers_for("p") == [{"urls": "stun:stun.kreis.example:3478"}]


def test_ice_servers_for_without_anything_is_empty(settings):
    settings.ICE_SERVERS = []
    settings.TURN_URLS = []
    settings.TURN_SECRET = "geheim"
    assert ice_servers_for("p") == []


def test_ice_servers_for_returns_copies(settings):
    settings.ICE_SERVERS = [{"urls": "stun:stun.kreis.example:3478"}]
    settings.TURN_URLS = []
    ice_servers_for("p")[0]["credential"] = "leak"
    assert settings.ICE_SERVERS == [{"urls": "stun:stun.kreis.example:3478"}]
