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

import base64
import binascii
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from flask import Flask, current_app

from planner.config import load_or_create_key_file

EXTENSION = "planner.encryption"
_KEYS = "planner.encryption.keys"  # each key's signing and encryption halves, for decrypt_large
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
    keys = configured_keys(app)
    app.extensions[EXTENSION] = cipher_for(keys)
    # A Fernet key is the HMAC key followed by the AES key (https://github.com/fernet/spec).
    halves = [base64.urlsafe_b64decode(key) for key in keys]
    app.extensions[_KEYS] = [(half[:16], half[16:]) for half in halves]


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


# Fernet's token layout (https://github.com/fernet/spec): version, timestamp, IV, ciphertext, HMAC-SHA256 tag.
_VERSION = 0x80
_HEADER = 1 + 8 + 16
_TAG = 32
_CHUNK = 64 * 1024  # multiple of the AES block and of base64's 4 characters → 3 bytes
_URLSAFE = bytes.maketrans(b"-_", b"+/")


def decrypt_large(token: bytes) -> memoryview:
    """:func:`decrypt_bytes` for a large output (a stored feed body): the plain bytes as a view, decrypted in place.

    Fernet's own ``decrypt`` holds the base64 text, its decoded bytes and three more copies of
    the plain text at once (the CBC output and two of the unpadding): for a 2 MB feed body about
    10 MiB per request. Here the token is decoded a chunk at a time into one buffer, its tag
    checked against each configured key (as Fernet does, in constant time, before anything is
    decrypted), and the ciphertext decrypted back into the same buffer: the token and one
    buffer of its size. :class:`DataKeyError` if no key opens it.
    """
    data = bytearray(len(token) // 4 * 3)
    size = 0
    try:
        for start in range(0, len(token), _CHUNK):
            chunk = binascii.a2b_base64(token[start : start + _CHUNK].translate(_URLSAFE))
            data[size : size + len(chunk)] = chunk
            size += len(chunk)
    except binascii.Error as error:
        raise DataKeyError("a stored output is not a Fernet token") from error
    view = memoryview(data)[:size]
    if size < _HEADER + 16 + _TAG or view[0] != _VERSION or (size - _HEADER - _TAG) % 16:
        raise DataKeyError("a stored output is not a Fernet token")
    for signing_key, encryption_key in current_app.extensions[_KEYS]:
        tag = hmac.HMAC(signing_key, hashes.SHA256())
        tag.update(view[: size - _TAG])
        try:
            tag.verify(bytes(view[size - _TAG :]))
        except InvalidSignature:
            continue
        decryptor = Cipher(algorithms.AES(encryption_key), modes.CBC(bytes(view[9:_HEADER]))).decryptor()
        scratch = bytearray(_CHUNK + 16)
        end = _HEADER  # the plain text is written over the ciphertext already read, never ahead of it
        for start in range(_HEADER, size - _TAG, _CHUNK):
            written = decryptor.update_into(view[start : min(start + _CHUNK, size - _TAG)], scratch)
            view[end : end + written] = scratch[:written]
            end += written
        rest = decryptor.finalize()
        view[end : end + len(rest)] = rest
        end += len(rest)
        padding = view[end - 1]
        if not 1 <= padding <= 16 or any(byte != padding for byte in view[end - padding : end]):
            raise DataKeyError("a stored output has a bad padding")
        return view[_HEADER : end - padding]
    raise DataKeyError("a stored output does not open with any configured data key")
