"""Where the configuration comes from: instance folder, environment, test_config."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient

from planner import create_app, encryption
from planner.auth.operations import password_hash_method
from planner.extensions import db
from planner.models import User
from tests.conftest import PASSWORD, csrf_token, make_user

ENV_KEYS = ("SECRET_KEY", "DATABASE_URL", "PLANNER_HOME_TIMEZONE", "PLANNER_BASE_URL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)


def fresh_app(instance: Path, **config: object) -> Flask:
    """An app with no SECRET_KEY given, on a throw-away SQLite file unless ``config`` says otherwise."""
    settings: dict[str, object] = {
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance.parent / 'unused.sqlite3'}",
    }
    settings.update(config)
    return create_app({k: v for k, v in settings.items() if v is not None})


# -- 1. secret key --------------------------------------------------------------


def test_first_start_creates_a_private_random_secret_key(tmp_path: Path) -> None:
    app = fresh_app(tmp_path / "inst")
    key_file = tmp_path / "inst" / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text(encoding="ascii").strip()
    assert re.fullmatch(r"[0-9a-f]{64,}", key)
    assert app.config["SECRET_KEY"] == key


def test_restart_reuses_the_secret_key(tmp_path: Path) -> None:
    first = fresh_app(tmp_path / "inst").config["SECRET_KEY"]
    assert fresh_app(tmp_path / "inst").config["SECRET_KEY"] == first


def test_each_instance_gets_its_own_secret_key(tmp_path: Path) -> None:
    assert fresh_app(tmp_path / "a").config["SECRET_KEY"] != fresh_app(tmp_path / "b").config["SECRET_KEY"]


def test_secret_key_from_environment_needs_no_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert fresh_app(tmp_path / "inst").config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "inst" / "secret_key").exists()


def test_first_start_creates_a_private_data_key_and_a_restart_reuses_it(tmp_path: Path) -> None:
    # The suite's make_app hands each app a data key file in advance (no fsync per test); here the app makes its own.
    first = fresh_app(tmp_path / "inst")
    key_file = tmp_path / "inst" / encryption.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    (key,) = encryption.parse_keys(key_file.read_text(encoding="ascii"))
    with first.app_context():
        token = encryption.encrypt("Reisepass C01X00T47")
    assert Fernet(key.encode("ascii")).decrypt(token.encode("ascii")) == b"Reisepass C01X00T47"
    with fresh_app(tmp_path / "inst").app_context():
        assert encryption.decrypt(token) == "Reisepass C01X00T47"
    assert key_file.read_text(encoding="ascii").strip() == key
    fresh_app(tmp_path / "other")
    assert encryption.parse_keys((tmp_path / "other" / encryption.KEY_FILE).read_text(encoding="ascii")) != [key]


def test_empty_secret_key_file_does_not_leave_the_app_without_a_key(tmp_path: Path) -> None:
    (tmp_path / "inst").mkdir()
    (tmp_path / "inst" / "secret_key").write_text("", encoding="ascii")
    app = fresh_app(tmp_path / "inst")
    assert len(app.config["SECRET_KEY"]) >= 64


# -- 2./3. database URL ----------------------------------------------------------------


def test_default_database_is_a_sqlite_file_in_the_instance_folder(tmp_path: Path) -> None:
    instance = tmp_path / "inst"
    app = fresh_app(instance, SQLALCHEMY_DATABASE_URI=None)
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    assert url.get_backend_name() == "sqlite"
    assert Path(url.database) == instance / "planner.sqlite3"
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    assert (instance / "planner.sqlite3").is_file()


@pytest.mark.parametrize("given", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_database_url_from_environment_selects_postgresql_with_psycopg3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    # Host "h" does not exist: creating the app must not try to connect.
    app = fresh_app(tmp_path / "inst", SQLALCHEMY_DATABASE_URI=None)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert not (tmp_path / "inst" / "planner.sqlite3").exists()


def test_pooled_connections_are_tested_before_use_only_on_a_database_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite_app = fresh_app(tmp_path / "a", SQLALCHEMY_DATABASE_URI=None)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    server_app = fresh_app(tmp_path / "b", SQLALCHEMY_DATABASE_URI=None)
    chosen = fresh_app(tmp_path / "c", SQLALCHEMY_DATABASE_URI=None, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False})
    assert sqlite_app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    assert server_app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    assert chosen.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False  # a deployment's own choice stays


def test_test_config_overrides_database_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    chosen = f"sqlite:///{tmp_path / 'chosen.sqlite3'}"
    assert fresh_app(tmp_path / "inst", SQLALCHEMY_DATABASE_URI=chosen).config["SQLALCHEMY_DATABASE_URI"] == chosen


# -- 4. instance/config.py and its overrides ----------------------------------------------


@pytest.fixture
def instance_with_config(tmp_path: Path) -> Path:
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text('HOME_TIMEZONE = "Asia/Seoul"\n', encoding="utf-8")
    return instance


def test_instance_config_file_is_read(instance_with_config: Path) -> None:
    assert fresh_app(instance_with_config).config["HOME_TIMEZONE"] == "Asia/Seoul"


def test_environment_overrides_instance_config_file(instance_with_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_HOME_TIMEZONE", "America/New_York")
    assert fresh_app(instance_with_config).config["HOME_TIMEZONE"] == "America/New_York"


def test_test_config_overrides_environment_and_file(instance_with_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_HOME_TIMEZONE", "America/New_York")
    assert fresh_app(instance_with_config, HOME_TIMEZONE="Europe/London").config["HOME_TIMEZONE"] == "Europe/London"


# -- 5. cookies and CSRF -----------------------------------------------------------------


def test_session_cookie_settings(tmp_path: Path) -> None:
    config = fresh_app(tmp_path / "inst").config
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config.get("WTF_CSRF_ENABLED", True) is not False


def test_session_cookie_sent_after_sign_in_is_httponly_and_samesite_lax(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user(email="cookie@example.org")
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "email": "cookie@example.org", "password": PASSWORD})
    assert response.status_code == 302
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(app.config["SESSION_COOKIE_NAME"] + "=")]
    assert cookies
    assert all("HttpOnly" in c and "SameSite=Lax" in c for c in cookies)


def test_forms_require_a_csrf_token_by_default(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user(email="csrf@example.org")
    response = client.post("/auth/login", data={"email": "csrf@example.org", "password": PASSWORD})
    assert response.status_code == 400


def test_redis_url_and_render_workers_configure_the_job_queue() -> None:
    from planner.config import from_environment

    settings = from_environment({"REDIS_URL": "redis://cache.internal:6379/2", "PLANNER_RENDER_WORKERS": "3"})
    # One variable for every shared part: the rate-limit counters and the job queue.
    assert settings["REDIS_URL"] == settings["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/2"
    assert settings["JOB_WORKERS"] == 3
    assert "REDIS_URL" not in from_environment({}) and "JOB_WORKERS" not in from_environment({})


# -- password hashing -------------------------------------------------------------


def test_production_hashes_passwords_with_scrypt(tmp_path: Path) -> None:
    # The suite hashes with one PBKDF2 round for speed (tests/conftest.py); production must not.
    app = fresh_app(tmp_path / "instance")
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
    with app.app_context():
        user = User(email="hash@example.org")
        user.set_password(PASSWORD, password_hash_method())
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")
    outside = User(email="cli@example.org")
    outside.set_password(PASSWORD)  # no app at all: still scrypt
    assert outside.password_hash.startswith("scrypt:")


def test_a_hash_of_another_method_still_verifies(app: Flask) -> None:
    # Changing PASSWORD_HASH_METHOD must not lock out accounts hashed before: the hash names its method.
    assert app.config["PASSWORD_HASH_METHOD"] == "pbkdf2:sha256:1"
    with app.app_context():
        user = User(email="mixed@example.org")
        user.set_password(PASSWORD, password_hash_method())
        assert user.password_hash.startswith("pbkdf2:sha256:1$")
        app.config["PASSWORD_HASH_METHOD"] = "scrypt"
        other = User(email="mixed2@example.org")
        other.set_password(PASSWORD, password_hash_method())
    assert user.check_password(PASSWORD) and other.check_password(PASSWORD)
    assert other.password_hash.startswith("scrypt:")
