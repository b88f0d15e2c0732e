"""PDF documents on the job queue: request, join, render in the worker, hand out the file.

The one render path of every printed document: the trip brief, and the
logistics sheets (the rooming list, the vehicle plan, the contact sheet). A
kind of document is a :class:`Document` registered with
:func:`register_document`: its name, how it builds its HTML from the
delegation and its choices (a JSON-able dict, the same in the request and in
the job), its file name and the words of its progress page. Everything else
(keys, joining, the per-user limit, the bounded queue, the job, the store, the
progress page and the file route) is shared. Adding a sheet is therefore:

1. a template (extend ``briefs/sheet.html``) and a function that renders it
   (:mod:`planner.briefs.sheets` has the page rules and fonts), used by the
   sheet's print view too, so the browser and the PDF show the same HTML;
2. ``register_document(Document(...))`` at import time of the feature;
3. one route that checks the choices and returns
   :func:`planner.briefs.routes.queue_pdf` (see :mod:`planner.rooms.routes`).

A PDF takes seconds to minutes of CPU and hundreds of MiB; rendered in the
web request, a few hundred parallel downloads took the whole service down.
Now a request only checks the options and looks up or enqueues a render:

* the same brief (delegation, its current state, options, public address)
  has one key; a request for a brief that is being rendered joins that
  render, and a finished one is handed out again while the state holds;
* a user has at most one render pending; asking for a different brief
  meanwhile is refused with 429 and ``Retry-After``;
* the job worker renders a fixed number of briefs at once, whatever the
  number of requests; queued jobs expire, so abandoned requests do not pile up.

The records live in the jobs store (:mod:`planner.jobs.store`: the instance
folder, or Redis when ``REDIS_URL`` is set), readable by every web worker; the
finished PDF too, for ``JOB_OUTPUT_SECONDS`` (a day), encrypted with the data
keys (:mod:`planner.encryption`): every document carries names, phone numbers
or (the full brief) counts of dietary needs, and a copy of the store must not
show them. A PDF that no configured key opens any more counts as not rendered.

The key also names the deployment's translations and templates
(:func:`output_version`): a finished PDF is not handed out after an update
that would have worded it differently.

A draft's cover says when it was made ("Stand ..."): a reused draft PDF
shows the time of its render, which stays true, since its key holds while
nothing it prints has changed. A released brief prints no such time, so it
is byte for byte what a render now would give (tests/briefs/test_brief_cache.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l

from planner.briefs import fonts, queries, render
from planner.briefs.options import SECTIONS, BriefOptions, check_options
from planner.editing import Rejected
from planner.encryption import DataKeyError, decrypt_bytes, encrypt_bytes
from planner.jobs import job, jobs
from planner.jobs.store import Store

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
PENDING = (QUEUED, RUNNING)
# Why a render failed, as a code: the progress page says it in the reader's language.
GONE, ERROR = "gone", "error"
# A user with a render pending is asked to come back after about this long.
RETRY_AFTER_SECONDS = 10

# Documents this process rendered, by kind: a render is seconds of CPU, so the count is worth watching
# (and the tests read it to tell a reused PDF from a new render).
RENDERS: Counter[str] = Counter()


@cache
def output_version(root_path: str) -> str:
    """A digest of what words and draws every document besides the data: compiled translations, templates, styles.

    Read once per process: a deployment changes them only with a restart.
    """
    root = Path(root_path)
    digest = hashlib.blake2b(digest_size=12)
    for folder, pattern in ((root / "translations", "*.mo"), (root.parent / "templates", "*.html"), (root / "static", "*.css")):
        for path in sorted(folder.rglob(pattern)):
            if "node_modules" in path.parts:
                continue
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class RenderRecord:
    """What the store knows about one render."""

    delegation_id: int
    filename: str
    state: str
    queued_at: float
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    kind: str = "brief"  # the Document's name (records written before there were several kinds are briefs)

    @property
    def pending(self) -> bool:
        return self.state in PENDING

    def waited(self, now: float | None = None) -> float:
        return (now or time.time()) - self.queued_at


class Busy(Exception):
    """The user already has a render pending (``key``, of ``delegation_id``); try again in ``retry_after`` seconds."""

    def __init__(self, key: str, delegation_id: int, retry_after: int) -> None:
        super().__init__(key)
        self.key = key
        self.delegation_id = delegation_id
        self.retry_after = retry_after


class QueueFull(Exception):
    """More renders wait than the queue takes; try again in ``retry_after`` seconds."""

    retry_after = 30


# What the wait page of every sheet says to a user who already has another render pending.
_SHEET_BUSY = _l(
    "Für Sie wird bereits ein anderes PDF erstellt. Bitte warten Sie, bis es fertig ist, "
    "und versuchen Sie es dann erneut (in etwa %(seconds)s Sekunden)."
)


@dataclass(frozen=True)
class Document:
    """A kind of printed document the queue renders.

    ``html(delegation_id, choices)`` returns the document's HTML, or None when the
    delegation is gone; it runs in a request context for the public address (so
    ``url_for`` works) and may raise :class:`~planner.editing.Rejected` when what
    the choices name is gone (a member who left, a hotel stay that moved).
    ``filename(delegation_id, choices)`` names the file. The progress and wait
    pages say ``producing``, ``failed``, ``gone`` (what the choices named is no
    more) and ``busy`` (with ``%(seconds)s``; every sheet says the same), and offer
    ``retry_endpoint`` (a view taking ``delegation_id``) after a failure.
    """

    kind: str
    html: Callable[[int, dict[str, Any]], str | None]
    filename: Callable[[int, dict[str, Any]], str]
    producing: Any
    failed: Any
    gone: Any
    retry_endpoint: str
    busy: Any = _SHEET_BUSY


DOCUMENTS: dict[str, Document] = {}


def register_document(document: Document) -> Document:
    """Make ``document`` a kind the queue renders (once per name; registering it again is harmless)."""
    known = DOCUMENTS.get(document.kind)
    if known is not None and known.html is not document.html:
        raise ValueError(f"two documents named {document.kind!r}")
    DOCUMENTS[document.kind] = document
    return document


def document_of(record: RenderRecord) -> Document:
    return DOCUMENTS.get(record.kind, DOCUMENTS["brief"])


def document_key(kind: str, delegation_id: int, state: tuple, choices: dict[str, Any], base_url: str) -> str:
    """The render's name: equal for requests that would get byte-for-byte the same document.

    The public address is part of it: links and the calendar QR code in the
    PDF point at the host the request came to.
    """
    parts = [kind, delegation_id, [str(value) for value in state], choices, base_url, output_version(current_app.root_path)]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:40]


def brief_choices(options: BriefOptions) -> dict[str, Any]:
    return {
        "audience": options.audience.value,
        "person_id": options.person_id,
        "lang": options.lang,
        "sections": [s for s in SECTIONS if s in options.sections],
        "edition": options.edition.value if options.edition else None,
    }


def brief_key(delegation_id: int, state: tuple, options: BriefOptions, base_url: str) -> str:
    """The key of a brief's render (see :func:`document_key`)."""
    return document_key("brief", delegation_id, state, brief_choices(options), base_url)


def _record_name(key: str) -> str:
    return f"brief-job:{key}"


def _pdf_name(key: str) -> str:
    return f"brief-pdf:{key}"


def _user_name(user_id: int) -> str:
    return f"user-render:{user_id}"


def _load(store: Store, key: str) -> RenderRecord | None:
    raw = store.get(_record_name(key))
    return None if raw is None else RenderRecord(**json.loads(raw))


def _save(store: Store, key: str, record: RenderRecord, ttl: float) -> None:
    store.set(_record_name(key), json.dumps(asdict(record)).encode(), ttl)


def record(key: str) -> RenderRecord | None:
    """The render ``key``'s record, or None when there is none (or it lapsed)."""
    return _load(jobs().store, key)


def pdf_bytes(key: str) -> bytes | None:
    """The finished PDF of render ``key``, or None (also when no configured data key opens it)."""
    stored = jobs().store.get(_pdf_name(key))
    if stored is None:
        return None
    try:
        return decrypt_bytes(stored)
    except DataKeyError:
        log.warning("render %s: the stored PDF does not open with the configured data keys", key)
        return None


def request_pdf(delegation_id: int, state: tuple, options: BriefOptions, *, base_url: str, user_id: int) -> tuple[str, bool]:
    """Find or start the render of this brief; see :func:`request_document`."""
    return request_document("brief", delegation_id, state, brief_choices(options), base_url=base_url, user_id=user_id)


def request_document(
    kind: str, delegation_id: int, state: tuple, choices: dict[str, Any], *, base_url: str, user_id: int
) -> tuple[str, bool]:
    """Find or start the render of a document of ``kind``; returns its key and whether the PDF is ready.

    ``state`` is what can change the document (equal states give equal
    documents); ``choices`` are checked already. Raises :class:`Busy` when the
    user has another render pending and :class:`QueueFull` when the queue is at
    its bound; nothing is enqueued then.
    """
    document = DOCUMENTS[kind]
    queue = jobs()
    store = queue.store
    config = current_app.config
    key = document_key(kind, delegation_id, state, choices, base_url)
    existing = _load(store, key)
    if existing is not None and existing.state == DONE and pdf_bytes(key) is not None:
        return key, True
    if existing is not None and existing.pending:
        return key, False  # join the render that is on its way

    own = store.get(_user_name(user_id))
    if own is not None and own.decode() != key:
        own_record = _load(store, own.decode())
        if own_record is not None and own_record.pending:
            raise Busy(own.decode(), own_record.delegation_id, RETRY_AFTER_SECONDS)
    if queue.pending() >= int(config["JOB_MAX_PENDING"]):
        raise QueueFull()

    ttl = float(config["JOB_EXPIRES_SECONDS"])
    fresh = RenderRecord(delegation_id, document.filename(delegation_id, choices), QUEUED, time.time(), kind=kind)
    if existing is not None:
        store.delete(_record_name(key))  # a failed or vanished render: try again
    if not store.add(_record_name(key), json.dumps(asdict(fresh)).encode(), ttl):
        return key, False  # another request started the same render a moment ago: join it
    store.set(_user_name(user_id), key.encode(), ttl)
    queue.enqueue("render_document", kind, key, delegation_id, choices, base_url, user_id)
    return key, False


def pdf_of(html: Callable[[], str | None], base_url: str) -> bytes | None:
    """The PDF of the HTML ``html()`` builds in a request context for ``base_url``; None if it builds none.

    Needs an app context, not a request: url_for then points at the host the user asked.
    """
    # Imported by the processes that render (the job worker, the CLI), not by every web worker that
    # imports this module to queue a render: WeasyPrint and the Pango libraries it loads cost ~26 MiB each.
    from planner.briefs.pdf import html_to_pdf

    with current_app.test_request_context(base_url=base_url):
        document = html()
        if document is None:
            return None
        return html_to_pdf(
            document,
            base_url=request.host_url,
            static_folder=current_app.static_folder or "",
            static_url_path=url_for("static", filename=""),
            files=fonts.font_files_by_url(current_app),
        )


def _brief_html(delegation_id: int, options: BriefOptions) -> str | None:
    source = queries.brief_source(delegation_id, options.edition)
    if source is None:
        return None
    _brief, html = render.brief_html(source, options)
    return html


def build_pdf(delegation_id: int, options: BriefOptions, base_url: str) -> bytes | None:
    """The brief as PDF, as the job renders it; None if the delegation is gone.

    Raises :class:`~planner.editing.Rejected` if the member of a personal brief is
    not (or no longer) on the trip. Needs an app context, not a request.
    """
    return pdf_of(lambda: _brief_html(delegation_id, options), base_url)


def _brief_from_choices(delegation_id: int, choices: dict[str, Any]) -> str | None:
    options = check_options(
        choices["audience"], choices["person_id"], choices["lang"], choices["sections"], edition=choices.get("edition")
    )
    return _brief_html(delegation_id, options)


def _brief_filename(delegation_id: int, choices: dict[str, Any]) -> str:
    options = check_options(
        choices["audience"], choices["person_id"], choices["lang"], choices["sections"], edition=choices.get("edition")
    )
    return f"reisebriefing-{delegation_id}-{options.slug}.pdf"


BRIEF = register_document(
    Document(
        kind="brief",
        html=_brief_from_choices,
        filename=_brief_filename,
        producing=_l("Reisebriefing wird erstellt"),
        failed=_l("Reisebriefing konnte nicht erstellt werden"),
        gone=_l("Die Delegation oder das gewählte Mitglied gibt es nicht mehr so, wie angefragt."),
        busy=_l(
            "Für Sie wird bereits ein anderes Reisebriefing erstellt. Bitte warten Sie, bis es fertig ist, "
            "und versuchen Sie es dann erneut (in etwa %(seconds)s Sekunden)."
        ),
        retry_endpoint="briefs.options",
    )
)


@job("render_document")
def render_document(kind: str, key: str, delegation_id: int, choices: dict, base_url: str, user_id: int) -> None:
    """Render a document of ``kind`` in the job worker and store the PDF under ``key``."""
    store = jobs().store
    config = current_app.config
    record_now = _load(store, key)
    if record_now is None or record_now.state != QUEUED:
        return  # lapsed or already handled: nobody waits for this one
    _save(store, key, replace(record_now, state=RUNNING, started_at=time.time()), float(config["JOB_EXPIRES_SECONDS"]))
    outcome = replace(record_now, state=FAILED, started_at=time.time())
    try:
        document = DOCUMENTS[kind]
        body = pdf_of(lambda: document.html(delegation_id, choices), base_url)
        if body is None:
            outcome = replace(outcome, error=GONE)
        else:
            RENDERS[kind] += 1
            store.set(_pdf_name(key), encrypt_bytes(body), float(config["JOB_OUTPUT_SECONDS"]))
            outcome = replace(outcome, state=DONE)
    except Rejected:
        outcome = replace(outcome, error=GONE)  # e.g. the member left the trip since the request
    except Exception:
        log.exception("%s render %s of delegation %s failed", kind, key, delegation_id)
        outcome = replace(outcome, error=ERROR)
    finally:
        outcome = replace(outcome, finished_at=time.time())
        keep = float(config["JOB_OUTPUT_SECONDS"]) if outcome.state == DONE else float(config["JOB_EXPIRES_SECONDS"])
        _save(store, key, outcome, keep)
        if store.get(_user_name(user_id)) == key.encode():
            store.delete(_user_name(user_id))
        store.prune()


@job("render_brief")
def render_brief(key: str, delegation_id: int, choices: dict, base_url: str, user_id: int) -> None:
    """A brief's render as queued before documents had kinds (jobs still waiting after an upgrade)."""
    render_document("brief", key, delegation_id, choices, base_url, user_id)
