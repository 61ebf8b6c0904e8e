"""Booking codes a person can read out on the phone, and link tokens nobody can guess."""

import secrets

# Crockford's base32 without the letters people confuse (I, L, O, U).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 bits; entering codes is rate-limited per client


def new_booking_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed ("ab12-cd34 ef") as a code: upper case, confusables mapped."""
    table = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})
    return "".join(ch for ch in text.upper().translate(table) if ch in ALPHABET)


def format_code(code: str) -> str:
    return " ".join(code[i : i + 5] for i in range(0, len(code), 5))
