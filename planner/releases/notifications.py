"""Release notifications: one e-mail per affected participant when a release is approved.

The approval's caller hands the release to :func:`notify_after_commit`; once
the approval commits, the job ``notify_release`` goes on the job queue
(:mod:`planner.jobs`), and the worker, never the web request, writes the
messages and queues each of them for sending (:mod:`planner.mail`, which
retries and records failures per recipient).

Who gets a message: every member of the release who is on the trip (not in
the trash) and has an e-mail address (``Person.email``), and whose own
programme changed between the previous approved release and this one, as
:func:`planner.releases.changes.changes_between` sees it for them (the
audience of their personal link, member or leadership: never internal
notes). For a trip's first release everyone is affected ("the programme has
been released"). Members not affected get nothing.

What it says, in the member's language (``Member.language``): the version
and its day, the version it replaces, the member's own changes, and their
personal link (``/p/<token>/``, an absolute URL; a member without one gets a
link issued: member audience, following the released version).

The attachment: a member **without a calendar subscription** gets their own
programme as released as an .ics (the feed's UIDs, SEQUENCE the item's
revision, ``METHOD:PUBLISH``, no ATTENDEE or ORGANIZER: nothing a client would
answer as an invitation). A member *has a subscription* when a calendar client
fetched one of their personal links at least once
(``FeedToken.last_fetched_at``, noted by the feed route): the subscribed
calendar updates itself, and a file would put every event in twice.

Idempotent: at most one message per release and member (a unique key on
``outgoing_messages``); the job skips members already written to, so a
re-run, a retry after a crash halfway or a second job for the same release
sends nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner.audiences import Viewer
from planner.calendar.export import Scope, export_calendar
from planner.calendar.operations import issue_feed
from planner.editing import Rejected
from planner.extensions import db
from planner.formatting import stamp_day
from planner.jobs import TaskOptions, job, jobs
from planner.mail.inputs import Attachment, MessageInput
from planner.mail.operations import queue_message
from planner.models import Audience, FeedFollows, FeedToken, Member, OutgoingMessage, Release, ReleaseState
from planner.personal.queries import personal_feeds_of
from planner.releases.changes import Change, changes_between
from planner.releases.queries import ReleasedProgramme, previous_released_programme, released_programme
from planner.releases.shown import ShownVersion
from planner.timezones import today_in

log = logging.getLogger(__name__)

KIND = "release"  # OutgoingMessage.kind of a release notification
_PENDING = "planner_release_notifications"


def notify_after_commit(release: Release, base_url: str) -> Release:
    """Have ``release``'s notifications written by the job worker once the caller's transaction commits.

    ``base_url`` is the address the approver used; the links in the messages are built from
    ``BASE_URL`` (``PLANNER_BASE_URL``) when that is configured, else from it. Nothing is
    enqueued if the transaction rolls back (a refused approval notifies nobody).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    db.session().info.setdefault(_PENDING, []).append((app, release.id, base_url))
    return release


@sa.event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    pending: list[tuple[Any, int, str]] = session.info.pop(_PENDING, [])
    for app, release_id, base_url in pending:
        try:
            jobs(app).enqueue("notify_release", release_id, base_url)
        except Exception:  # the queue is down: the approval stands; the log says which release to notify
            log.exception("could not put the notifications of release %s on the job queue", release_id)


@sa.event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


@job("notify_release", TaskOptions(retries="MAIL_RETRIES", retry_delay="MAIL_RETRY_SECONDS", expires=False))
def notify_release(release_id: int, base_url: str) -> None:
    """Write and queue the notifications of release ``release_id`` (the job worker runs it)."""
    # url_for needs a request for absolute links: the personal links and the calendar's item links.
    with current_app.test_request_context(base_url=base_url):
        queued = queue_notifications(release_id)
    log.info("release %s: %s notification(s) queued", release_id, len(queued))


@dataclass(frozen=True)
class Notice:
    """One member's notification, written in their language."""

    subject: str
    body: str
    attachment: Attachment | None


def queue_notifications(release_id: int) -> list[int]:
    """Queue one message per affected member of release ``release_id`` not yet written to; the new messages' ids.

    Needs a request context (absolute links). Commits after each member, so a
    failure halfway keeps what was queued and a re-run continues with the rest.
    """
    release = db.session.get(Release, release_id)
    if release is None or release.state != ReleaseState.APPROVED:
        return []
    this = released_programme(release.delegation_id, release.number)
    if this is None:  # pragma: no cover - an approved release is always found
        return []
    previous = previous_released_programme(release.delegation_id, release.number)
    done = set(
        db.session.scalars(
            sa.select(OutgoingMessage.member_id).where(
                OutgoingMessage.release_id == release_id, OutgoingMessage.member_id.is_not(None)
            )
        )
    )
    queued: list[int] = []
    for member in this.programme.members:
        if member.id in done:
            continue
        live = db.session.get(Member, member.id)
        if live is None or live.deleted_at is not None or live.delegation_id != release.delegation_id:
            continue  # taken off the trip since (or in the trash): their links rest, no message
        email = (live.person.email or "").strip()
        if not email:
            continue
        message_id = _queue_for(this, previous, member, live, email)
        if message_id is not None:
            queued.append(message_id)
    return queued


def _queue_for(
    this: ReleasedProgramme, previous: ReleasedProgramme | None, member: Member, live: Member, email: str
) -> int | None:
    feeds = personal_feeds_of(live)
    link = _chosen_link(feeds)
    viewer = Viewer(link.audience if link is not None else Audience.MEMBER, member)
    try:
        with db.session.begin_nested():
            with force_locale(live.language):
                changes = changes_between(previous.programme, this.programme, viewer) if previous is not None else []
                if previous is not None and not changes:
                    return None  # nothing changed for them: no message
                if link is None:
                    link = issue_feed(live.delegation, live, None, audience=Audience.MEMBER, follows=FeedFollows.RELEASED)
                notice = compose(this, previous, member, live, changes, link, subscribed=has_subscription(feeds))
            message = queue_message(
                MessageInput(
                    recipient=email,
                    subject=notice.subject,
                    body=notice.body,
                    kind=KIND,
                    delegation_id=live.delegation_id,
                    member_id=live.id,
                    attachment=notice.attachment,
                    release_id=this.release.id,
                )
            )
            message_id = message.id
    except Rejected:  # not an e-mail address: nobody to write to
        log.warning("release %s: member %s has no usable e-mail address", this.release.id, live.id)
        return None
    except IntegrityError:  # another run of the job wrote to them a moment ago
        db.session.rollback()
        return None
    db.session.commit()
    return message_id


def _chosen_link(feeds: list[FeedToken]) -> FeedToken | None:
    # A link that follows the released version shows what the message announces; else any personal one.
    return next((f for f in feeds if f.follows == FeedFollows.RELEASED), feeds[0] if feeds else None)


def has_subscription(feeds: list[FeedToken]) -> bool:
    """Whether the member subscribes to their calendar: a calendar client fetched one of their personal links."""
    return any(feed.last_fetched_at is not None for feed in feeds)


def compose(
    this: ReleasedProgramme,
    previous: ReleasedProgramme | None,
    member: Member,
    live: Member,
    changes: list[Change],
    link: FeedToken,
    *,
    subscribed: bool,
) -> Notice:
    """The message for ``member`` (as the release knows them), in the current locale."""
    release, programme = this.release, this.programme
    home_zone = programme.home_timezone
    assert release.approved_at is not None
    lines = [
        _("Guten Tag %(name)s,", name=live.person.display_name),
        "",
        _(
            "für die Reise „%(title)s“ gilt jetzt Version %(number)s des Programms, freigegeben am %(day)s.",
            title=programme.title,
            number=release.number,
            day=stamp_day(release.approved_at, home_zone),
        ),
    ]
    if previous is None:
        lines.append(_("Das Programm ist freigegeben: Dies ist die erste freigegebene Fassung."))
    else:
        lines += [_("Sie ersetzt Version %(number)s.", number=previous.release.number), ""]
        lines.append(_("Was sich für Sie geändert hat:"))
        lines += [f"- {change.text}" for change in changes]
    lines += ["", _("Ihr persönliches Programm, auch offline auf dem Telefon:"), personal_url(link), ""]
    attachment = None
    if subscribed:
        lines.append(_("Ihr abonnierter Kalender zeigt die neue Fassung von selbst an."))
    else:
        attachment = programme_file(this, member, live.language, link.audience)
        lines.append(
            _("Im Anhang finden Sie Ihr Programm als Kalenderdatei (.ics): Öffnen Sie sie, um Ihren Kalender zu aktualisieren.")
        )
    lines += ["", _("Diese Nachricht wurde automatisch vom Delegationsplaner verschickt.")]
    subject = _("Programm %(title)s: Version %(number)s", title=programme.title, number=release.number)
    return Notice(subject=subject, body="\n".join(lines) + "\n", attachment=attachment)


def personal_url(link: FeedToken) -> str:
    """The absolute address of the member's personal page (needs a request context)."""
    return url_for("personal.page", token=link.token, _external=True)


def programme_file(this: ReleasedProgramme, member: Member, locale: str, audience: Audience) -> Attachment:
    """The member's own programme as released, as the calendar file their feed would give, published (METHOD:PUBLISH)."""
    programme = this.programme
    exported = export_calendar(
        programme,
        Scope(member=member),
        locale=locale,
        today=today_in(programme.home_timezone),
        viewer=Viewer(audience, member),
        version=ShownVersion(this.release),
        method="PUBLISH",
    )
    return Attachment(exported.filename, exported.body)
