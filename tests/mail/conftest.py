"""A real SMTP server on loopback (aiosmtpd) for the mail tests, and helpers to wait for the worker."""

from __future__ import annotations

import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from flask import Flask

from planner.extensions import db
from planner.models import MessageState, OutgoingMessage


@dataclass
class Recorder:
    """An SMTP handler that keeps what it accepted; with ``reply`` it answers every DATA with it instead."""

    reply: str | None = None
    received: list[Envelope] = field(default_factory=list)
    attempts: int = 0
    # Per accepted message: whether it came over TLS, and the login it was sent under (if any).
    sessions: list[tuple[bool, Any]] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, session: Any, envelope: Envelope) -> str:
        self.attempts += 1
        if self.reply is not None:
            return self.reply
        self.received.append(envelope)
        self.sessions.append((session.ssl is not None, session.auth_data))
        return "250 2.0.0 Message accepted for delivery"


def free_port() -> int:
    """A loopback port nothing listens on (right now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpServer:
    port: int
    handler: Recorder


def _serve(handler: Recorder, **smtp_options: Any) -> Iterator[SmtpServer]:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **smtp_options)
    controller.start()
    try:
        yield SmtpServer(controller.port, handler)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on loopback that accepts every message."""
    yield from _serve(Recorder())


@pytest.fixture
def refusing_smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on loopback that answers every message with a temporary failure (451)."""
    yield from _serve(Recorder(reply="451 4.3.0 Mailbox temporarily unavailable, try later"))


@pytest.fixture
def rejecting_smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on loopback that refuses every message for good (550)."""
    yield from _serve(Recorder(reply="550 5.7.1 Delivery not authorized, message refused"))


def wait_until_done(app: Flask, message_id: int, timeout: float = 120) -> OutgoingMessage:
    """The message once the worker is through with it (no longer queued), read fresh from the database."""
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            message = db.session.get(OutgoingMessage, message_id)
            assert message is not None
            if message.state != MessageState.QUEUED or time.monotonic() > deadline:
                db.session.expunge(message)
                return message
        time.sleep(0.1)


MAIL_LOGIN, MAIL_SECRET = "planner-mailer", "not-a-real-secret"


@dataclass
class TlsSmtpServer(SmtpServer):
    ca_file: Path


@pytest.fixture
def tls_smtp_server(tmp_path: Path) -> Iterator[TlsSmtpServer]:
    """An SMTP server on loopback that requires STARTTLS and a login, with a certificate made for this test."""
    cert, key = tmp_path / "smtp-cert.pem", tmp_path / "smtp-key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(_server: Any, _session: Any, _envelope: Any, _mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            MAIL_LOGIN.encode(),
            MAIL_SECRET.encode(),
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    for server in _serve(Recorder(), tls_context=context, require_starttls=True, authenticator=authenticator, auth_required=True):
        yield TlsSmtpServer(server.port, server.handler, cert)
