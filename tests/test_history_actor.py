"""Who the change history names: the signed-in user for a web edit, the command's actor (or none) otherwise.

The acting user reaches the history through the database session
(:func:`planner.models.history.set_actor`), never through the request, so these
writes run on the real app and database with and without a request.
"""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, has_request_context
from flask.testing import FlaskClient, FlaskCliRunner

import planner.models
from planner.extensions import db
from planner.models import Appointment, ChangeRecord, User, UserRole
from planner.models.history import set_actor
from planner.timezones import utc_now
from tests.conftest import csrf_token, login, make_appointment, make_delegation, make_user


def _records(entity: str, entity_id: int) -> list[tuple[str, int | None, str | None]]:
    return [
        (r.action, r.user_id, r.user_email)
        for r in db.session.scalars(
            sa.select(ChangeRecord)
            .where(ChangeRecord.entity == entity, ChangeRecord.entity_id == entity_id)
            .order_by(ChangeRecord.id)
        )
    ]


def test_a_web_edit_is_recorded_as_the_signed_in_users_and_the_actor_ends_with_the_request(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        planner = make_user(UserRole.PLANNER)
        delegation = make_delegation()
        item = make_appointment(delegation, datetime(2024, 10, 15, 9, 0))
        item.deleted_at = utc_now()
        db.session.commit()
        planner_id, email, delegation_id, item_id = planner.id, planner.email, delegation.id, item.id
    login(client, email)
    with app.app_context():
        token = csrf_token(client, f"/delegations/{delegation_id}/trash")
        response = client.post(f"/delegations/{delegation_id}/trash/{item_id}/restore", data={"csrf_token": token})
        assert response.status_code == 302
        # The same app context outlives the request here: what it writes now is nobody's edit.
        db.session.get(Appointment, item_id).venue = "Nach der Anfrage"
        db.session.commit()
        assert _records("appointments", item_id) == [
            ("create", None, None),
            ("trash", None, None),
            ("restore", planner_id, email),
            ("update", None, None),
        ]


def test_a_command_writes_as_the_system_without_a_request(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "create", "neu@example.org", "--role", "viewer"], input="a long enough secret\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == "neu@example.org")).one()
        assert _records("users", user.id) == [("create", None, None)]


def test_a_command_acting_for_someone_is_recorded_as_theirs(app: Flask) -> None:
    with app.app_context():
        admin = make_user(UserRole.ADMIN)
        delegation = make_delegation()
        db.session.commit()
        assert not has_request_context()
        set_actor(db.session(), (admin.id, admin.email))
        delegation.title = "Im Auftrag"
        db.session.commit()
        set_actor(db.session(), None)
        delegation.title = "Vom System"
        db.session.commit()
        assert _records("delegations", delegation.id) == [
            ("create", None, None),
            ("update", admin.id, admin.email),
            ("update", None, None),
        ]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


def test_the_models_do_not_import_the_web_layer() -> None:
    # Who acts reaches them through the session, the password hash method through the caller.
    models = Path(planner.models.__file__).parent
    for module in models.glob("*.py"):
        roots = {name.split(".")[0] for name in _imported_modules(module)}
        assert not roots & {"flask", "flask_login"}, module.name
