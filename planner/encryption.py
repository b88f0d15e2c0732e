"""Encryption at rest for personal data (passports, health, diet, phones on the trip).

The values are encrypted with Fernet (``cryptography``: AES-128-CBC with an
HMAC-SHA256 tag) before they reach the database, so a copy of the database
file or a dump shows only tokens. The keys never live in the database:

* ``PLANNER_DATA_KEYS`` (environment or ``instance/config.py``): one or more
  Fernet keys separated by commas — every host of a deployment needs the same;
* otherwise the file ``instance/data_keys`` (mode 0600), created with a fresh
  key on first start, one key per line.

The first key encrypts; every listed key decrypts. Rotating means putting a new
key first, re-encrypting every value with it (``flask care rotate-key``) and
then dropping the old key.

The column types that use this live in :mod:`planner.models.base`; they find
the keys of the application in whose context the row is read or written.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

from planner.config import load_or_create_key_file

EXTENSION = "planner.encryption"
KEY_FILE = "data_keys"


class DataKeyError(RuntimeError):
    """The configured keys are malformed, or a stored value does not open with any of them."""


def key_file(instance_path: str) -> Path:
    return Path(instance_path) / KEY_FILE


def parse_keys(text: str) -> list[str]:
    """The keys in a comma- or newline-separated list, in order, blanks dropped."""
    return [key.strip() for key in text.replace(",", "\n").splitlines() if key.strip()]


def configured_keys(app: Flask) -> list[str]:
    """The app's keys, newest first: from ``PLANNER_DATA_KEYS``, else from the instance file (created if missing)."""
    configured = app.config.get("PLANNER_DATA_KEYS")
    if configured:
        return parse_keys(configured)
    text = load_or_create_key_file(key_file(app.instance_path), lambda: Fernet.generate_key().decode("ascii"))
    return parse_keys(text)


def cipher_for(keys: list[str]) -> MultiFernet:
    if not keys:
        raise DataKeyError("no data key configured")
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    except (ValueError, UnicodeEncodeError) as error:
        # Never print the keys: say which one is wrong by position.
        raise DataKeyError("a data key is not a valid Fernet key (32 url-safe base64-encoded bytes)") from error


def init_app(app: Flask) -> None:
    """Load the keys once at start, so a bad key stops the app instead of the first save."""
    app.extensions[EXTENSION] = cipher_for(configured_keys(app))


def _cipher() -> MultiFernet:
    return current_app.extensions[EXTENSION]


def encrypt(plain: str) -> str:
    """The token of ``plain`` under the current (first) key."""
    return _cipher().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The plain text of a stored token; :class:`DataKeyError` if no configured key opens it."""
    try:
        return _cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as error:
        raise DataKeyError("a stored value does not open with any configured data key") from error


def rotate(token: str) -> str:
    """``token`` re-encrypted under the current key (the plain text never leaves this function)."""
    try:
        return _cipher().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as error:
        raise DataKeyError("a stored value does not open with any configured data key") from error


def encrypt_bytes(plain: bytes) -> bytes:
    """The token of ``plain`` (a rendered output kept in a shared store) under the current key."""
    return _cipher().encrypt(plain)


def decrypt_bytes(token: bytes) -> bytes:
    """The bytes of a token from :func:`encrypt_bytes`; :class:`DataKeyError` if no configured key opens it."""
    try:
        return _cipher().decrypt(token)
    except InvalidToken as error:
        raise DataKeyError("a stored output does not open with any configured data key") from error
