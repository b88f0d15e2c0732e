"""The travellers' self-service: one-time links to their own travel data, and saving what they enter.

Writes flush and never commit (the caller commits). A link's token leaves this
module once, in the e-mail to the traveller; the database keeps only its
digest (:func:`planner.models.calendar.token_digest`, as for feed tokens), so
neither a carer's page nor a copy of the database can open a link again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from planner.care.link_inputs import OwnProfileInput
from planner.editing import Rejected, flush_edit, record_to_save
from planner.extensions import db
from planner.formatting import day
from planner.mail.inputs import MessageInput
from planner.mail.operations import queue_message
from planner.models import Delegation, LinkState, Member, Person, TravelDataLink, TravelProfile, User
from planner.models.calendar import token_digest

# The OutgoingMessage kind of a link's e-mail; the mail module keeps no token of it once delivered.
MAIL_KIND = "travel_data_link"


# -- reads --------------------------------------------------------------------------


def link_for_token(token: str, now: datetime) -> TravelDataLink | None:
    """The open link of ``token`` with its member, person and trip loaded; None if unknown, used, revoked or lapsed.

    Looked up by digest: the token itself is nowhere to compare with. A
    member in the trash (or a trip without them) opens nothing either.
    """
    if not token or len(token) > 100:
        return None
    link = db.session.scalars(
        sa.select(TravelDataLink)
        .where(TravelDataLink.digest == token_digest(token))
        .options(
            joinedload(TravelDataLink.member).joinedload(Member.person),
            joinedload(TravelDataLink.member).joinedload(Member.delegation),
        )
    ).one_or_none()
    if link is None or not link.is_open(now) or link.member is None:
        return None
    return link


def profile_of(person_id: int) -> TravelProfile | None:
    return db.session.scalars(sa.select(TravelProfile).where(TravelProfile.person_id == person_id)).one_or_none()


@dataclass(frozen=True)
class MemberLink:
    """A row of the carers' links page: a member and the state of their newest link."""

    member: Member
    state: LinkState
    link: TravelDataLink | None
    confirmed_at: datetime | None


def member_links(delegation: Delegation, now: datetime) -> list[MemberLink]:
    """Every member of the trip with their newest link's state and when they last confirmed their data (3 queries)."""
    members = list(
        db.session.scalars(
            sa.select(Member)
            .where(Member.delegation_id == delegation.id)
            .options(joinedload(Member.person))
            .order_by(Member.sort_order, Member.id)
        )
    )
    newest: dict[int, TravelDataLink] = {}
    links = db.session.scalars(
        sa.select(TravelDataLink)
        .where(TravelDataLink.member_id.in_([m.id for m in members]))
        .order_by(TravelDataLink.created_at, TravelDataLink.id)
    )
    for link in links:
        newest[link.member_id] = link
    # Only the column, never the encrypted values: the page shows no personal data.
    confirmed = dict(
        db.session.execute(
            sa.select(TravelProfile.person_id, TravelProfile.confirmed_at).where(
                TravelProfile.person_id.in_([m.person_id for m in members])
            )
        ).all()
    )
    rows = []
    for member in members:
        newest_link = newest.get(member.id)
        state = newest_link.state(now) if newest_link is not None else LinkState.NONE
        rows.append(MemberLink(member, state, newest_link, confirmed.get(member.person_id)))
    return rows


def member_of(delegation_id: int, member_id: int) -> Member | None:
    return db.session.scalars(
        sa.select(Member)
        .where(Member.id == member_id, Member.delegation_id == delegation_id)
        .options(joinedload(Member.person), selectinload(Member.delegation))
    ).one_or_none()


# -- writes ---------------------------------------------------------------------------


def revoke_links(member: Member, now: datetime) -> int:
    """Close every open link of ``member``; how many there were."""
    links = db.session.scalars(
        sa.select(TravelDataLink).where(
            TravelDataLink.member_id == member.id,
            TravelDataLink.used_at.is_(None),
            TravelDataLink.revoked_at.is_(None),
            TravelDataLink.expires_at > now,
        )
    ).all()
    for link in links:
        link.revoked_at = now
    db.session.flush()
    return len(links)


def send_link(member: Member, by: User | None, now: datetime) -> TravelDataLink:
    """Make a new one-time link for ``member`` (closing their open one) and queue it by e-mail in their language.

    Refuses (:class:`Rejected`, field ``member``) a member whose directory entry
    has no usable e-mail address. Needs a request context (the absolute link).
    """
    email = (member.person.email or "").strip()
    if not email:
        raise Rejected(
            "member",
            _(
                "Für %(name)s ist keine E-Mail-Adresse eingetragen. Bitte zuerst im Verzeichnis ergänzen.",
                name=member.person.display_name,
            ),
        )
    revoke_links(member, now)
    token = secrets.token_urlsafe(32)
    days = int(current_app.config["TRAVEL_DATA_LINK_DAYS"])
    link = TravelDataLink(
        member=member,
        digest=token_digest(token),
        created_at=now,
        created_by_id=by.id if by is not None else None,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(link)
    db.session.flush()
    with force_locale(member.language):
        subject, body = compose(member, url_for("care_link.form", token=token, _external=True), link.expires_at)
    queue_message(
        MessageInput(
            recipient=email,
            subject=subject,
            body=body,
            kind=MAIL_KIND,
            delegation_id=member.delegation_id,
            member_id=member.id,
        )
    )
    return link


def compose(member: Member, url: str, expires_at: datetime) -> tuple[str, str]:
    """The link's e-mail (subject, body) in the current locale; it names no data, only what is asked and why."""
    delegation = member.delegation
    retention = int(current_app.config["PERSONAL_DATA_RETENTION_DAYS"])
    subject = _("Ihre Reisedaten für „%(title)s“", title=delegation.title)
    lines = [
        _("Guten Tag %(name)s,", name=member.person.display_name),
        "",
        _(
            "für die Reise „%(title)s“ bitten wir Sie, Ihre Reisedaten (Reisepass, Mobilnummer, Kontakt für den Notfall,"
            " Ernährung, Gesundheit, Zimmerwunsch) selbst einzutragen oder zu bestätigen. So müssen Sie keine"
            " Passkopien per E-Mail schicken.",
            title=delegation.title,
        ),
        "",
        url,
        "",
        _(
            "Der Link ist persönlich, gilt bis %(day)s (Zeit %(zone)s) und nur für ein Absenden."
            " Bitte leiten Sie diese E-Mail nicht weiter.",
            day=day(expires_at, delegation.home_timezone),
            zone=delegation.home_city.name,
        ),
        _(
            "Ihre Angaben werden verschlüsselt gespeichert; nur die für die Reise benannten Betreuerinnen und Betreuer"
            " sehen sie, jeder Zugriff wird protokolliert. Sie werden %(days)d Tage nach dem Ende Ihrer letzten Reise gelöscht.",
            days=retention,
        ),
    ]
    return subject, "\n".join(lines) + "\n"


def save_own_profile(person: Person, data: OwnProfileInput, version: int | None, now: datetime) -> TravelProfile:
    """Store what ``person`` entered about themselves and mark it confirmed by them (flushes).

    ``version``: the profile's version the form showed (None for a person without
    one yet); a carer's save in between is an :class:`~planner.editing.EditConflict`.
    """
    profile = record_to_save(profile_of(person.id), version, lambda: TravelProfile(person_id=person.id))
    profile.passport_type = data.passport_type.value if data.passport_type is not None else None
    profile.passport_country = data.passport_country
    profile.passport_number = data.passport_number
    profile.passport_expires_on = data.passport_expires_on
    profile.nationality = data.nationality
    profile.mobile_phone = data.mobile_phone
    profile.emergency_contact = data.emergency_contact
    profile.dietary_needs = ",".join(need.value for need in data.dietary_needs) or None
    profile.dietary_notes = data.dietary_notes
    profile.medical_notes = data.medical_notes
    profile.mobility_needs = data.mobility_needs
    profile.room_preference = data.room_preference
    profile.confirmed_at = now
    flush_edit(profile)
    return profile


def use_link(link: TravelDataLink, now: datetime) -> None:
    """Mark ``link`` used: it opens nothing any more (flushes)."""
    link.used_at = now
    db.session.flush()
