"""The change history: who changed what, when, from which value to which.

Recorded automatically at flush time for every planning record, so no write
path (form, import, CLI) can forget it. The acting user is whoever the session
acts for (:func:`set_actor`): the web sets the signed-in user where it loads
them (:mod:`planner.auth.sessions`), a command that acts for someone sets that
account; without one the change is the system's. The models never ask the
request who is signed in.
"""

from __future__ import annotations

import enum
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from planner.models.base import Base, TrashableMixin, UTCDateTime
from planner.models.contacts import EmergencyNumber
from planner.models.delegations import Delegation, Leg, Member
from planner.models.directory import Organization, Person
from planner.models.entry import EntryRule
from planner.models.etiquette import EtiquetteNote
from planner.models.followups import FollowUp
from planner.models.geography import City, Partnership
from planner.models.gifts import Gift
from planner.models.hostlang import ContentTranslation
from planner.models.program import Appointment, Journey
from planner.models.protocol import ProtocolParticipant, SeatingPlan
from planner.models.releases import Release
from planner.models.revisions import BOOKKEEPING
from planner.models.rooms import NightOverride, Room
from planner.models.teams import TeamMember
from planner.models.transport import Transfer, Vehicle
from planner.models.users import User
from planner.timezones import utc_now

TRACKED = (
    Delegation,
    Member,
    Leg,
    Appointment,
    Journey,
    FollowUp,
    Organization,
    Person,
    City,
    Partnership,
    User,
    TeamMember,
    Release,
    EntryRule,
    Vehicle,
    Transfer,
    NightOverride,
    Room,
    EmergencyNumber,
    Gift,
    EtiquetteNote,
    ContentTranslation,
    SeatingPlan,
    ProtocolParticipant,
)
# Never copied into the history, whatever the record.
SECRET_FIELDS = frozenset({"password_hash", "totp_secret"})
# The key in Session.info under which the session keeps its acting user.
ACTOR = "actor"

Actor = tuple[int, str]
"""An acting user as the history records them: id and e-mail address (kept when the account goes)."""


class ChangeRecord(Base):
    __tablename__ = "change_records"
    # The newest change of a kind of record, in one index lookup: calendar feeds ask on every poll.
    __table_args__ = (sa.Index("ix_change_records_entity_id", "entity", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    user_email: Mapped[str | None] = mapped_column(sa.String(254))  # kept when the account goes
    delegation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(sa.String(40))  # table name
    entity_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(sa.String(16))  # create, update, delete, trash, restore
    label: Mapped[str] = mapped_column(sa.String(300))  # what the record was called at the time
    changes: Mapped[dict[str, list[Any]]] = mapped_column(sa.JSON, default=dict)


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):  # a gift's value: JSON has no decimals, and a float would round it
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_label(v) for v in value]
    return value


def _label(obj: Any) -> str:
    if isinstance(obj, Release):  # named by its number; the history page says "Version 3" in the reader's language
        return str(obj.number)
    if isinstance(obj, Person):  # its "title" is "Dr.", not what it is called
        return obj.name[:300]
    if isinstance(obj, EntryRule):  # no name of its own: what it is about
        return f"{obj.destination} {obj.nationality} {obj.passport_type} {obj.valid_from or ''}".strip()
    if isinstance(obj, TeamMember):  # named by its account: the address outlives a deleted account here
        return obj.user.email[:300] if obj.user is not None else f"team member {obj.id}"
    for name in ("title", "name", "email"):
        value = getattr(obj, name, None)
        if value:
            return str(value)[:300]
    if isinstance(obj, Member):
        return obj.person.name if obj.person is not None else f"member {obj.id}"
    if isinstance(obj, Leg):
        return obj.city.name if obj.city is not None else f"leg {obj.id}"
    if isinstance(obj, Vehicle):  # named by its day and what tells it apart on the road
        return " · ".join(str(part) for part in (obj.day.isoformat(), obj.plate, obj.driver_name) if part)[:300]
    if isinstance(obj, Transfer):  # named by where it goes
        return f"→ {obj.appointment.title}"[:300] if obj.appointment is not None else f"transfer {obj.id}"
    if isinstance(obj, NightOverride):  # named by its night; the page writes the date in the reader's language
        return obj.night.isoformat()
    if isinstance(obj, Room):  # named by its number, else by who sleeps in it
        names = ", ".join(m.person.name for m in obj.occupants if m.person is not None)
        return (obj.room_number or names or f"room {obj.id}")[:300]
    if isinstance(obj, ContentTranslation):  # what it translates, and into which language
        return f"{obj.subject_kind.value} {obj.subject_id} {obj.field} [{obj.language}]"[:300]
    if isinstance(obj, SeatingPlan):  # named by its appointment
        return obj.appointment.title[:300] if obj.appointment is not None else f"seating plan {obj.id}"
    if isinstance(obj, ProtocolParticipant):  # named by its person
        return obj.person.name[:300] if obj.person is not None else f"participant {obj.id}"
    if isinstance(obj, Journey):  # named by its ends, as the history page names it
        return f"{obj.departure_place} → {obj.arrival_place}"[:300]
    return f"{type(obj).__name__} {getattr(obj, 'id', '')}"


def _delegation_id(obj: Any) -> int | None:
    if isinstance(obj, Delegation):
        return obj.id
    owner = getattr(obj, "delegation", None)
    return owner.id if isinstance(owner, Delegation) else None


def _diff(obj: Any, *, everything: bool) -> dict[str, list[Any]]:
    state = sa.inspect(obj)
    changes: dict[str, list[Any]] = {}
    names = [a.key for a in state.mapper.column_attrs]
    names += [r.key for r in state.mapper.relationships if r.secondary is not None]
    omitted: frozenset[str] = getattr(type(obj), "HISTORY_OMITS", frozenset())
    for name in names:
        if name in BOOKKEEPING or name in SECRET_FIELDS or name in omitted or name == "id":
            continue
        history = state.attrs[name].history
        if everything:
            value = getattr(obj, name)
            if value not in (None, [], ""):
                changes[name] = [None, _jsonable(value)]
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if state.mapper.relationships.get(name) is not None:
                old, new = list(history.unchanged) + list(history.deleted), list(history.unchanged) + list(history.added)
            changes[name] = [_jsonable(old), _jsonable(new)]
    if isinstance(obj, User) and state.attrs["password_hash"].history.has_changes() and not everything:
        changes["password"] = ["***", "***"]
    return changes


def set_actor(session: Session, actor: Actor | None) -> None:
    """Record the changes ``session`` flushes from now on as ``actor``'s; ``None``: as the system's.

    The id and address are copied, not the user: reading them from an expired
    object at flush time would cost a query (and fail for a deleted account).
    """
    if actor is None:
        session.info.pop(ACTOR, None)
    else:
        session.info[ACTOR] = actor


def _actor(session: Session) -> tuple[int | None, str | None]:
    actor: Actor | None = session.info.get(ACTOR)
    return actor if actor is not None else (None, None)


@sa.event.listens_for(Session, "after_flush")
def _collect(session: Session, _flush_context: Any) -> None:
    # Histories are still intact after the flush, and new rows have their ids now.
    pending: list[dict[str, Any]] = session.info.setdefault("history_pending", [])
    for obj in session.new:
        if isinstance(obj, TRACKED):
            pending.append(_record(session, obj, "create", _diff(obj, everything=True)))
    for obj in session.dirty:
        if isinstance(obj, TRACKED) and session.is_modified(obj):
            changes = _diff(obj, everything=False)
            if not changes:
                continue
            action = "update"
            if isinstance(obj, TrashableMixin) and "deleted_at" in changes:
                action = "trash" if obj.deleted_at is not None else "restore"
            pending.append(_record(session, obj, action, changes))
    deleted_delegations = {obj.id for obj in session.deleted if isinstance(obj, Delegation)}
    for obj in session.deleted:
        if isinstance(obj, TRACKED):
            pending.append(_record(session, obj, "delete", {}, gone=deleted_delegations))


def _record(
    session: Session, obj: Any, action: str, changes: dict[str, list[Any]], gone: AbstractSet[int] = frozenset()
) -> dict[str, Any]:
    user_id, email = _actor(session)
    delegation_id = _delegation_id(obj)
    if delegation_id in gone:  # the delegation's history goes with it
        delegation_id = None
    return {
        "user_id": user_id,
        "user_email": email,
        "delegation_id": delegation_id,
        "entity": type(obj).__tablename__,
        "entity_id": obj.id,
        "action": action,
        "label": _label(obj),
        "changes": changes,
    }


@sa.event.listens_for(Session, "after_flush_postexec")
def _write(session: Session, _flush_context: Any) -> None:
    # Adding rows here makes the session flush them in the same flush() call.
    pending = session.info.pop("history_pending", [])
    if pending:
        session.add_all(ChangeRecord(**entry) for entry in pending)


@sa.event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("history_pending", None)
