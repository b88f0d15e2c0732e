"""Pages of the mail feature: the outbox for admins, one message, and each trip's messages for its planners."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from planner.auth.access import admins_only, editors_only
from planner.delegations import queries as delegation_queries
from planner.mail import queries
from planner.mail import sending as _sending  # noqa: F401  (declares the send_message job for the worker)

bp = Blueprint("mail", __name__)


@bp.get("/admin/outbox")
@admins_only
def outbox() -> str:
    return render_template(
        "mail/outbox.html",
        messages=queries.outbox(),
        limit=queries.LIST_LIMIT,
        smtp=bool(current_app.config.get("MAIL_SERVER")),
        home_zone=current_app.config["HOME_TIMEZONE"],
    )


@bp.get("/admin/outbox/<int:message_id>")
@admins_only
def message(message_id: int) -> str:
    return render_template(
        "mail/message.html", message=queries.message_or_404(message_id), home_zone=current_app.config["HOME_TIMEZONE"]
    )


@bp.get("/delegations/<int:delegation_id>/messages")
@editors_only
def delegation_messages(delegation_id: int) -> str:
    delegation = delegation_queries.delegation_or_404(delegation_id)
    return render_template(
        "mail/delegation.html",
        delegation=delegation,
        messages=queries.of_delegation(delegation_id),
        notifications=queries.release_notifications(delegation_id),
        limit=queries.LIST_LIMIT,
        home_zone=current_app.config["HOME_TIMEZONE"],
    )
