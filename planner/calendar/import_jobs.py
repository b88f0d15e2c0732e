"""Large .ics uploads are parsed on the job queue, not in the web request.

Parsing a large allowed file takes up to about a second of CPU (more on a busy
machine); a web worker doing that for four users at once answers nobody else.
So the upload request only keeps a file above ``IMPORT_INLINE_MAX_BYTES`` in
its ``pending_imports`` row (state QUEUED), and :func:`parse_import` is
enqueued after its commit (:func:`~planner.calendar.import_operations.keep_upload`);
the preview URL shows a progress page, refreshing itself, until the worker
has stored the plan (READY) or the reason it refused the file (FAILED).
Small files are parsed in the request: a round trip through the queue would
cost them more than the parse.

The state lives in the row, not in the jobs store as a PDF render's does: the
plan itself has to be in the database (see :mod:`planner.calendar.import_plan`),
and one row keeps plan and state from disagreeing.
"""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from planner.calendar import import_operations, import_plan, importing
from planner.extensions import db
from planner.jobs import TaskOptions, job, jobs
from planner.models import Delegation, ImportState, PendingImport, User
from planner.models.history import set_actor

log = logging.getLogger(__name__)

PARSE_IMPORT = import_operations.PARSE_IMPORT


def writes_on_queue(items: int) -> bool:
    """Whether confirming a plan of ``items`` items is left to the job worker (each item is a save with its history)."""
    return items > int(current_app.config["IMPORT_INLINE_MAX_ITEMS"])


def is_large(data: bytes) -> bool:
    """Whether an upload of ``data`` is parsed on the queue rather than in the request."""
    return len(data) > int(current_app.config["IMPORT_INLINE_MAX_BYTES"])


def queue_full() -> bool:
    """More jobs wait than the queue takes (``JOB_MAX_PENDING``, as for PDF renders)."""
    return jobs().pending() >= int(current_app.config["JOB_MAX_PENDING"])


@job(PARSE_IMPORT)
def parse_import(pending_id: int, locale: str) -> None:
    """Parse the kept file of upload ``pending_id`` and keep its plan, or why it was refused.

    Messages are in ``locale``, the uploader's language at the time of the
    upload. Runs in the job worker, inside an app context; commits.
    """
    pending = db.session.get(PendingImport, pending_id)
    if pending is None or pending.state != ImportState.QUEUED or pending.content is None:
        return  # discarded, lapsed or taken by another worker: nobody waits for this one
    import_operations.start_parsing(pending)
    db.session.commit()
    with force_locale(locale):
        try:
            delegation = db.session.get(Delegation, pending.delegation_id)
            if delegation is None:
                return  # the trip was deleted (and the upload with it)
            items = importing.parse_for_delegation(delegation, pending.content or b"")
            # As in the request: a UID of another trip refuses the file at once, not only at confirmation.
            importing.plan_import(db.session(), delegation, items)
        except importing.ImportRejected as rejected:
            import_operations.store_refusal(pending, rejected.message)
        except Exception:
            log.exception("parsing upload %s failed", pending_id)
            db.session.rollback()
            pending = db.session.get(PendingImport, pending_id)
            if pending is None:
                return
            import_operations.store_refusal(
                pending, _("Die Datei konnte wegen eines internen Fehlers nicht gelesen werden. Bitte erneut hochladen.")
            )
        else:
            import_operations.store_plan(pending, items)
    db.session.commit()


# Never dropped for waiting: the planner confirmed it and the progress page waits for it, however late.
@job(import_operations.WRITE_IMPORT, TaskOptions(expires=False))
def write_import(pending_id: int, locale: str) -> None:
    """Import the kept items of upload ``pending_id`` (confirmed) as one transaction, for its uploader.

    The change history names the uploader, as for an import in the request.
    A file that no longer fits (a UID taken since the preview) imports
    nothing: the row is then FAILED with the reason. Commits.
    """
    pending = db.session.get(PendingImport, pending_id)
    if pending is None or pending.state != ImportState.IMPORTING:
        return
    user = db.session.get(User, pending.user_id)
    delegation = db.session.get(Delegation, pending.delegation_id)
    if user is None or delegation is None:
        return  # the account or the trip was deleted, and the upload with it
    set_actor(db.session(), (user.id, user.email))
    try:
        with force_locale(locale):
            try:
                import_operations.write_kept(delegation, pending)
                db.session.commit()
                return
            except (importing.ImportRejected, import_plan.StalePlan) as refused:
                message = (
                    refused.message
                    if isinstance(refused, importing.ImportRejected)
                    else _("Die Datei konnte nicht gelesen werden.")
                )
            except Exception:
                log.exception("importing upload %s failed", pending_id)
                message = _("Der Import konnte nicht gespeichert werden; es wurde nichts geändert. Bitte erneut versuchen.")
            db.session.rollback()
            again = db.session.get(PendingImport, pending_id)
            if again is not None:
                import_operations.store_refusal(again, message)
                db.session.commit()
    finally:
        set_actor(db.session(), None)
