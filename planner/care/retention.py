"""Deletion of travel data after the trip: ``flask care purge [--dry-run]`` and its daily job.

A person's travel profile is due when their *last* trip ended more than
``PERSONAL_DATA_RETENTION_DAYS`` days ago: the latest ``end_date`` over all
their memberships. One future or running trip keeps the data, however old
their other trips are. People on no trip at all (a carer entered data, the
person was taken off every trip) are due once their profile has not changed
for that long.

The counting is in calendar days of the home time zone (``HOME_TIMEZONE``):
a trip's ``end_date`` is the return day as the home office counts it, so
"today" must be the home office's today too, not the server's (UTC) date; a
trip that ended 31 days ago is due, one that ended 30 days ago is not yet.

Memberships in the trash still count: a member taken off a trip by mistake is
restored with one click, and their data must still be there. Deleting a trip
removes its memberships, so its end no longer holds anyone's data.

What goes: the profile rows (every encrypted value of the person), and the
one-time links that can no longer open (used, revoked or lapsed; they hold
only digests). What stays: the trips, their members, legs and programme, and
the read log (:class:`~planner.models.PersonalDataRead`), which must outlive
the data it describes. Each deletion is written to the change history and to
the log, with the person's id and name, never a value.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from planner.extensions import db
from planner.jobs.queue import periodic_job
from planner.models import ChangeRecord, Delegation, Member, Person, TravelDataLink, TravelProfile
from planner.timezones import to_local, today_in, utc_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueProfile:
    """A profile due for deletion, described without any of its values."""

    profile_id: int
    person_id: int
    name: str
    # The person's last trip (None: on no trip; then ``last_change`` counted).
    last_trip: str | None
    last_trip_end: date | None
    last_change: date


def cutoff_day(now: datetime) -> date:
    """The newest end day that is due: a last trip that ended before or on it has been over for more than the period."""
    zone = current_app.config["HOME_TIMEZONE"]
    return today_in(zone, now=now) - timedelta(days=int(current_app.config["PERSONAL_DATA_RETENTION_DAYS"]) + 1)


def due_profiles(now: datetime) -> list[DueProfile]:
    """The profiles due for deletion at ``now``, by name (two queries; no encrypted column is read)."""
    cutoff = cutoff_day(now)
    zone = current_app.config["HOME_TIMEZONE"]
    profiles = db.session.execute(
        sa.select(TravelProfile.id, TravelProfile.person_id, TravelProfile.updated_at, Person.name).join(
            Person, Person.id == TravelProfile.person_id
        )
    ).all()
    if not profiles:
        return []
    trips: dict[int, tuple[date, str]] = {}
    rows = db.session.execute(
        sa.select(Member.person_id, Delegation.end_date, Delegation.title)
        .join(Delegation, Delegation.id == Member.delegation_id)
        .where(Member.person_id.in_([p.person_id for p in profiles]))
        .execution_options(include_trashed=True)
    ).all()
    for person_id, end_date, title in rows:
        if person_id not in trips or end_date > trips[person_id][0]:
            trips[person_id] = (end_date, title)
    due = []
    for profile_id, person_id, updated_at, name in profiles:
        changed = to_local(updated_at, zone).date()
        last = trips.get(person_id)
        if (last[0] if last is not None else changed) > cutoff:
            continue
        due.append(
            DueProfile(
                profile_id=profile_id,
                person_id=person_id,
                name=name,
                last_trip=last[1] if last is not None else None,
                last_trip_end=last[0] if last is not None else None,
                last_change=changed,
            )
        )
    return sorted(due, key=lambda d: (d.last_trip_end or d.last_change, d.name, d.person_id))


def dead_links(now: datetime) -> sa.ColumnElement[bool]:
    """The links that can no longer open: used, revoked or lapsed."""
    return sa.or_(TravelDataLink.used_at.is_not(None), TravelDataLink.revoked_at.is_not(None), TravelDataLink.expires_at <= now)


@dataclass(frozen=True)
class PurgeResult:
    profiles: list[DueProfile]
    links: int


def purge(now: datetime) -> PurgeResult:
    """Delete the due profiles and the dead links, recording each deletion without values (flushes; the caller commits)."""
    due = due_profiles(now)
    if due:
        db.session.execute(
            sa.delete(TravelProfile).where(TravelProfile.id.in_([d.profile_id for d in due])),
            execution_options={"synchronize_session": False},
        )
        db.session.add_all(
            ChangeRecord(
                at=now,
                user_id=None,
                user_email=None,
                delegation_id=None,
                entity=TravelProfile.__tablename__,
                entity_id=d.profile_id,
                action="delete",
                label=d.name[:300],
                changes={},
            )
            for d in due
        )
    links = db.session.execute(sa.delete(TravelDataLink).where(dead_links(now)), execution_options={"synchronize_session": False})
    db.session.flush()
    for d in due:
        log.info("travel data of person %s deleted (last trip ended %s)", d.person_id, d.last_trip_end or "-")
    return PurgeResult(due, int(links.rowcount or 0))  # type: ignore[attr-defined]


def describe(d: DueProfile) -> str:
    """One line of the dry-run list: name and last trip, never a value of the profile."""
    if d.last_trip is not None and d.last_trip_end is not None:
        return f"{d.name} (person {d.person_id}): last trip {d.last_trip!r} ended {d.last_trip_end.isoformat()}"
    return f"{d.name} (person {d.person_id}): on no trip, data last changed {d.last_change.isoformat()}"


@periodic_job("purge_travel_data", minute="30", hour="2")
def purge_travel_data() -> None:
    """The daily deletion (02:30 UTC, the night in Europe), on the job queue; the same as ``flask care purge``."""
    result = purge(utc_now())
    db.session.commit()
    log.info("purge: %s profile(s) and %s link(s) deleted", len(result.profiles), result.links)
