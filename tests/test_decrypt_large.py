"""planner.encryption.decrypt_large: Fernet's decrypt for large stored outputs, in place, with Fernet's refusals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask

from planner.encryption import DataKeyError, decrypt_large, encrypt_bytes
from tests.conftest import make_app

CURRENT, OLDER = Fernet.generate_key(), Fernet.generate_key()


@pytest.fixture
def keyed_app(tmp_path: Path) -> Flask:
    keys = f"{CURRENT.decode()},{OLDER.decode()}"
    return make_app(f"sqlite:///{tmp_path / 'unused.sqlite3'}", tmp_path / "instance", PLANNER_DATA_KEYS=keys)


# Empty, under, at and over one AES block, and over several of the 64 KiB chunks it decodes and decrypts by.
@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 65_535, 65_536, 200_001, 2_000_000])
def test_the_same_bytes_as_fernet_under_every_configured_key(keyed_app: Flask, size: int) -> None:
    plain = os.urandom(size)
    with keyed_app.app_context():
        assert bytes(decrypt_large(encrypt_bytes(plain))) == plain
        assert bytes(decrypt_large(Fernet(OLDER).encrypt(plain))) == plain  # a key being rotated out


def test_what_fernet_refuses_is_refused(keyed_app: Flask) -> None:
    with keyed_app.app_context():
        token = encrypt_bytes(b"Stephan Keller, 14.10.2024" * 100)
        tampered = bytearray(token)
        tampered[120] = ord("A") if tampered[120] != ord("A") else ord("B")  # inside the ciphertext
        refused = [
            Fernet(Fernet.generate_key()).encrypt(b"x"),  # a key not configured
            bytes(tampered),
            token[:-4] + b"AAAA",  # another tag
            token[:60],  # cut short
            b"",
            b"not a token at all",
        ]
        for bad in refused:
            with pytest.raises(DataKeyError):
                decrypt_large(bad)
