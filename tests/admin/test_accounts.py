"""Changing role and status: saved with optimistic locking, and the rules that keep an admin in charge."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.admin import operations
from planner.admin.inputs import AccountInput
from planner.editing import Rejected
from planner.extensions import db
from planner.models import ChangeRecord, User, UserRole
from tests.admin.conftest import form_version, stored, text
from tests.conftest import PASSWORD, add_user, csrf_token, enrol_through_page, login


@pytest.fixture
def admin_id(admin_app: Flask) -> int:
    return add_user(admin_app, UserRole.ADMIN, "admin@example.org")


@pytest.fixture
def planner_id(admin_app: Flask) -> int:
    return add_user(admin_app, UserRole.PLANNER, "planner@example.org")


@pytest.fixture
def admin(client: FlaskClient, admin_id: int) -> FlaskClient:
    login(client, "admin@example.org")
    return client


def _save(client: FlaskClient, user_id: int, *, role: str, status: str, version: int | None = None):
    path = f"/admin/users/{user_id}"
    token = csrf_token(client, path)
    current = form_version(client, path) if version is None else version
    return client.post(path, data={"csrf_token": token, "role": role, "status": status, "version": str(current)})


def test_list_shows_accounts_with_role_status_and_last_sign_in_in_home_time(
    admin_app: Flask, admin: FlaskClient, planner_id: int
) -> None:
    add_user(admin_app, UserRole.VIEWER, "gone@example.org", active=False)
    with admin_app.app_context():
        # 23:30 UTC on the 15th is already 01:30 on the 16th in Düsseldorf (CEST).
        db.session.get(User, planner_id).last_login_at = datetime(2024, 10, 15, 23, 30, tzinfo=UTC)
        db.session.commit()
    page = text(admin.get("/admin/users"))
    assert "Benutzerverwaltung" in page
    planner_row = page[page.index("planner@example.org") :].split("</tr>")[0]
    assert "Planung" in planner_row and "Aktiv" in planner_row
    assert "Mi., 16. Okt. 2024, 01:30" in planner_row
    gone_row = page[page.index("gone@example.org") :].split("</tr>")[0]
    assert "Lesezugriff" in gone_row and "Deaktiviert" in gone_row and "noch nie" in gone_row
    admin_row = page[page.index("<tbody>") :].split("</tr>")[0]
    assert "(Sie)" in admin_row and "Administration" in admin_row
    assert f'href="/admin/users/{planner_id}"' in page


def test_edit_form_labels_every_input_and_carries_the_version(admin: FlaskClient, planner_id: int) -> None:
    page = text(admin.get(f"/admin/users/{planner_id}"))
    assert '<label for="role">Rolle</label>' in page
    assert '<label for="status">Status</label>' in page
    assert 'type="hidden"' in page and 'name="version"' in page
    assert '<option selected value="planner">Planung</option>' in page


def test_role_change_is_saved_and_recorded(admin_app: Flask, admin: FlaskClient, planner_id: int) -> None:
    before = stored(admin_app, planner_id).version
    response = _save(admin, planner_id, role="viewer", status="active")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/admin/users"
    assert "Konto planner@example.org gespeichert." in text(admin.get("/admin/users"))
    user = stored(admin_app, planner_id)
    assert user.role == UserRole.VIEWER and user.active
    assert user.version == before + 1
    with admin_app.app_context():
        record = db.session.scalars(
            sa.select(ChangeRecord).filter_by(entity="users", entity_id=planner_id, action="update")
        ).one()
        assert record.changes == {"role": ["planner", "viewer"]}
        assert record.user_email == "admin@example.org"


def test_saving_unchanged_values_changes_nothing(admin_app: Flask, admin: FlaskClient, planner_id: int) -> None:
    response = _save(admin, planner_id, role="planner", status="active")
    assert response.status_code == 302
    assert "Keine Änderung" in text(admin.get("/admin/users"))
    assert stored(admin_app, planner_id).version == 1


def test_promoting_to_admin_opens_the_admin_pages(admin_app: Flask, admin: FlaskClient, planner_id: int) -> None:
    colleague = admin_app.test_client()
    login(colleague, "planner@example.org")
    assert colleague.get("/admin/users").status_code == 403
    assert _save(admin, planner_id, role="admin", status="active").status_code == 302
    # An admin may see personal data: first the second factor, then the admin pages.
    assert urlsplit(colleague.get("/admin/users").headers["Location"]).path == "/auth/second-factor"
    enrol_through_page(colleague, "planner@example.org")
    assert colleague.get("/admin/users").status_code == 200


def test_disabling_signs_the_user_out_on_their_next_request(admin_app: Flask, admin: FlaskClient, planner_id: int) -> None:
    colleague = admin_app.test_client()
    login(colleague, "planner@example.org")
    assert colleague.get("/").status_code == 200

    assert _save(admin, planner_id, role="planner", status="disabled").status_code == 302
    assert not stored(admin_app, planner_id).active
    assert "Deaktiviert" in text(admin.get("/admin/users"))

    response = colleague.get("/")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"
    # ... and cannot sign in again,
    token = csrf_token(colleague, "/auth/login")
    refused = colleague.post("/auth/login", data={"csrf_token": token, "email": "planner@example.org", "password": PASSWORD})
    assert refused.status_code == 200 and "E-Mail-Adresse oder Passwort ist falsch." in text(refused)

    # ... until an admin enables the account again.
    assert _save(admin, planner_id, role="planner", status="active").status_code == 302
    again = admin_app.test_client()
    login(again, "planner@example.org")
    assert again.get("/").status_code == 200


def test_stale_version_shows_the_conflict_page_and_saves_nothing(admin_app: Flask, admin: FlaskClient, planner_id: int) -> None:
    opened_with = form_version(admin, f"/admin/users/{planner_id}")
    # Meanwhile a second admin disables the account.
    add_user(admin_app, UserRole.ADMIN, "second@example.org")
    second = admin_app.test_client()
    login(second, "second@example.org")
    assert _save(second, planner_id, role="planner", status="disabled").status_code == 302
    saved_meanwhile = stored(admin_app, planner_id)

    response = _save(admin, planner_id, role="viewer", status="active", version=opened_with)
    assert response.status_code == 409
    page = text(response)
    assert "Jemand anderes hat „planner@example.org“ inzwischen geändert" in page
    # Both versions side by side: what this admin chose, what is saved now.
    assert "Lesezugriff" in page and "Planung" in page
    assert "Aktiv" in page and "Deaktiviert" in page
    assert f'href="/admin/users/{planner_id}"' in page

    user = stored(admin_app, planner_id)
    assert (user.role, user.active, user.version) == (UserRole.PLANNER, False, saved_meanwhile.version)


@pytest.mark.parametrize("version", ["", "abc"])
def test_missing_or_garbled_version_is_a_bad_request(admin_app: Flask, admin: FlaskClient, planner_id: int, version: str) -> None:
    path = f"/admin/users/{planner_id}"
    token = csrf_token(admin, path)
    response = admin.post(path, data={"csrf_token": token, "role": "viewer", "status": "active", "version": version})
    assert response.status_code == 400
    assert stored(admin_app, planner_id).role == UserRole.PLANNER


def test_unknown_role_or_status_is_refused(admin_app: Flask, admin: FlaskClient, planner_id: int) -> None:
    for role, status in (("owner", "active"), ("viewer", "asleep")):
        response = _save(admin, planner_id, role=role, status=status)
        assert response.status_code == 422
        assert "field-errors" in response.get_data(as_text=True)
    assert stored(admin_app, planner_id).role == UserRole.PLANNER


def _account_row(app: Flask, user_id: int) -> tuple:
    with app.app_context():
        return tuple(db.session.execute(sa.select(User.__table__).where(User.id == user_id)).one())


def _history(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(ChangeRecord)) or 0


@pytest.mark.parametrize(("role", "status"), [("owner", "active"), ("viewer", "asleep"), ("", "")])
def test_an_invalid_account_save_answers_422_and_changes_nothing(
    admin_app: Flask, admin: FlaskClient, planner_id: int, role: str, status: str
) -> None:
    before, history = _account_row(admin_app, planner_id), _history(admin_app)
    response = _save(admin, planner_id, role=role, status=status)
    assert response.status_code == 422
    page = text(response)
    assert 'aria-invalid="true"' in page and 'name="version"' in page  # the form again, ready to correct
    assert _account_row(admin_app, planner_id) == before  # role, status, version, sessions: all as they were
    assert _history(admin_app) == history


# -- keeping an admin in charge ------------------------------------------------


@pytest.mark.parametrize(
    "role, status, field, message",
    [
        ("planner", "active", "role", "Sie können sich die Administrationsrolle nicht selbst entziehen."),
        ("viewer", "active", "role", "Sie können sich die Administrationsrolle nicht selbst entziehen."),
        ("admin", "disabled", "status", "Sie können Ihr eigenes Konto nicht deaktivieren."),
        ("planner", "disabled", "status", "Sie können Ihr eigenes Konto nicht deaktivieren."),
    ],
)
def test_admin_cannot_demote_or_disable_themselves(
    admin_app: Flask, admin: FlaskClient, admin_id: int, role: str, status: str, field: str, message: str
) -> None:
    add_user(admin_app, UserRole.ADMIN, "second@example.org")  # not the last admin: the self rule alone
    before = stored(admin_app, admin_id).version  # signing in has raised it
    response = _save(admin, admin_id, role=role, status=status)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert f'aria-describedby="{field}-errors"' in page
    user = stored(admin_app, admin_id)
    assert (user.role, user.active, user.version) == (UserRole.ADMIN, True, before)
    assert admin.get("/admin/users").status_code == 200  # still an admin, still signed in


def test_admin_can_demote_and_disable_another_admin(admin_app: Flask, admin: FlaskClient) -> None:
    second = add_user(admin_app, UserRole.ADMIN, "second@example.org")
    assert _save(admin, second, role="viewer", status="disabled").status_code == 302
    user = stored(admin_app, second)
    assert (user.role, user.active) == (UserRole.VIEWER, False)


@pytest.mark.parametrize("role, active", [(UserRole.PLANNER, True), (UserRole.ADMIN, False), (UserRole.VIEWER, False)])
def test_last_active_admin_can_never_be_demoted_or_disabled(
    admin_app: Flask, admin_id: int, role: UserRole, active: bool
) -> None:
    # A disabled admin does not count: they cannot sign in to manage anything.
    add_user(admin_app, UserRole.ADMIN, "dormant@example.org", active=False)
    with admin_app.test_request_context():
        user = db.session.get(User, admin_id)
        with pytest.raises(Rejected, match="letzte aktive Administrationskonto"):
            # No acting admin (a script, say): only the last-admin rule can stop it.
            operations.change_account(user, AccountInput(role, active), version=user.version, actor=None)
        db.session.rollback()
    user = stored(admin_app, admin_id)
    assert (user.role, user.active, user.version) == (UserRole.ADMIN, True, 1)


def test_disabled_admin_may_be_demoted_even_when_one_admin_is_left(admin_app: Flask, admin_id: int) -> None:
    dormant = add_user(admin_app, UserRole.ADMIN, "dormant@example.org", active=False)
    with admin_app.test_request_context():
        user = db.session.get(User, dormant)
        assert operations.change_account(user, AccountInput(UserRole.VIEWER, False), version=user.version, actor=None)
        db.session.commit()
    assert stored(admin_app, dormant).role == UserRole.VIEWER


def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    admin_app: Flask, admin_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the last-admin rule must survive, on SQLite and PostgreSQL alike.

    A demotes B and pauses right after the rule check; meanwhile B demotes A.
    Without serialisation both would see "another admin remains" and both
    would save: no admin left. PostgreSQL makes B wait for A's row locks (A
    resumes after a short timeout); SQLite lets B through and A's recount after
    its own write notices. Either way exactly one demotion wins.
    """
    second_id = add_user(admin_app, UserRole.ADMIN, "second@example.org")
    a_checked, b_finished = threading.Event(), threading.Event()
    original_check = operations._check_may_leave_admins
    outcome: dict[str, str] = {}

    def paused_check(user: User, **kwargs: object) -> None:
        original_check(user, **kwargs)
        if threading.current_thread().name == "A":
            a_checked.set()
            b_finished.wait(timeout=1.5)

    monkeypatch.setattr(operations, "_check_may_leave_admins", paused_check)

    def demote(actor_id: int, target_id: int) -> None:
        name = threading.current_thread().name
        try:
            with admin_app.test_request_context():
                actor, target = db.session.get(User, actor_id), db.session.get(User, target_id)
                operations.change_account(target, AccountInput(UserRole.PLANNER, True), version=target.version, actor=actor)
                db.session.commit()  # the caller commits (the edit flow does)
                outcome[name] = "saved"
        except Rejected:
            outcome[name] = "refused"
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            outcome[name] = repr(error)
        finally:
            if name == "B":
                b_finished.set()

    a = threading.Thread(target=demote, args=(admin_id, second_id), name="A")
    b = threading.Thread(target=demote, args=(second_id, admin_id), name="B")
    a.start()
    assert a_checked.wait(timeout=10)
    b.start()
    a.join(timeout=20)
    b.join(timeout=20)
    assert sorted(outcome.values()) == ["refused", "saved"], outcome
    with admin_app.app_context():
        admins = db.session.scalars(sa.select(User.email).filter_by(role=UserRole.ADMIN, active=True)).all()
    assert len(admins) == 1
