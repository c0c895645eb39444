"""Secrets for answering a round: answer codes, invitation links and open links.

Every secret carries at least 128 random bits and is stored only as an HMAC keyed with a key
derived from ``SECRET_KEY``. The round's id is part of the hashed message, so a secret issued for
round X hashes to something else under round Y and is simply unknown there.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.conf import settings

# Crockford's base32: no I, L, O or U, so a typed code survives being read aloud or misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 28  # 28 × 5 = 140 random bits
CODE_GROUP = 4
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_NOT_CODE = re.compile(r"[\s\-_.]")


class Purpose:
    CODE = "code"
    INVITATION = "invitation"
    OPEN_LINK = "open-link"
    OPEN_TICKET = "open-ticket"


def _key() -> bytes:
    return hashlib.sha256(
        b"amg-portal/kortlaegning/tokens\x00" + settings.SECRET_KEY.encode()
    ).digest()


def token_hash(*, purpose: str, round_id: int, token: str) -> str:
    """The keyed hash stored in place of ``token``."""
    message = f"{purpose}\x00{round_id}\x00{token}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def new_url_token() -> str:
    """A secret for a link: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def new_code() -> str:
    """A secret answer code: 28 base32 characters (140 bits), normalised form."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """What the respondent typed, as the canonical code (case, dashes, spaces, O/0, I/L/1)."""
    return _NOT_CODE.sub("", raw or "").upper().translate(_READ_AS)


def format_code(code: str, separator: str = "-") -> str:
    """The code in groups of four for printing, e.g. ``ABCD-EFGH-…``."""
    return separator.join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def looks_like_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(c in ALPHABET for c in code)


def derived_token(*, label: str) -> str:
    """A secret derived from ``SECRET_KEY`` (for the demo, whose links must survive a re-seed)."""
    digest = hmac.new(_key(), f"derived\x00{label}".encode(), hashlib.sha256).digest()
    return "".join(ALPHABET[b % 32] for b in digest[:CODE_LENGTH])
