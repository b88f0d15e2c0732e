"""Conditional GET for subscription feeds: the 304 answer to a poll without building the calendar.

Calendar apps poll every hour and nearly always hold the current ETag. One query
(:func:`planner.calendar.queries.feed_state`) finds the feed and reads everything its
body depends on (for a feed that follows the released version: the number of the
release in force rather than the draft's revision, so an approval refreshes it and a
draft edit does not); if the feed has been built for exactly that state before, its ETag and
Last-Modified are known and the poll is answered 304 with the same headers. They are looked
up in this worker's memory first, then in the store the kept event blocks live in (the
instance folder, or Redis: :mod:`planner.jobs.store`), so a poll that reaches another worker
or another host than the one that built the feed is answered 304 as well, without a build.
A plain GET of a state built before gets the body built then, kept encrypted in
the same store (many calendar services send no If-None-Match). The store is a
cache here: when it cannot be reached the feed is built (:class:`planner.jobs.store.CacheStore`).
Anything else builds the calendar and remembers its validators and body for the next poll;
the build serializes only the events that changed since the feed's last build
(:mod:`planner.calendar.feed_blocks`), and for a draft's feed loads only those events
in full (:mod:`planner.calendar.feed_build`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path
from threading import Lock

from flask import Response, current_app, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from planner import workload
from planner.audiences import Viewer
from planner.calendar import feed_blocks, queries
from planner.calendar.export import ExportedCalendar, Scope, export_calendar
from planner.calendar.feed_build import export_feed
from planner.calendar.queries import FeedState
from planner.encryption import DataKeyError, decrypt_bytes, encrypt_bytes
from planner.extensions import db
from planner.jobs import jobs
from planner.models import Delegation, FeedFollows
from planner.releases.shown import shown_programme

ICS_MIMETYPE = "text/calendar"

log = logging.getLogger(__name__)


def ics_response(exported: ExportedCalendar) -> Response:
    """A built calendar as an HTTP response, with the validators a conditional GET compares."""
    response = Response(exported.body, content_type=f"{ICS_MIMETYPE}; charset=utf-8")
    response.last_modified = exported.last_modified
    response.add_etag()  # a hash of the body: stable while nothing changes
    return response


def feed_response(subscription: FeedState, today: date) -> BaseResponse | None:
    """The answer to a poll of ``subscription`` (304 when the client's copy is current); None if its trip is gone."""
    key = _key(subscription, today)
    built_feeds = _built_feeds()
    known = built_feeds.get(key)
    if known is None:
        # Built by another worker or host: the shared store knows its validators (one read, no build).
        known = _shared_get(key)
        if known is not None:
            built_feeds.put(key, known)
    if known is not None:
        conditional = known.unchanged().make_conditional(request)
        if conditional.status_code == 304:
            return conditional
        # A plain GET (many calendar services send no If-None-Match) of a state built before: its stored body.
        body = _stored_body(key, known)
        if body is not None:
            return Response(body, headers=known.headers()).make_conditional(request)
    # The events serialized by this feed's last build: only changed ones are serialized again. Read before
    # the programme: decoding thousands of blocks while thousands of ORM rows are alive made the cyclic
    # garbage collector walk those rows again (about a sixth of a rebuild's time in the profile).
    blocks = feed_blocks.load(subscription.id)
    source_url = url_for("calendar.feed", token=subscription.token, _external=True)
    exported = _from_blocks(subscription, today, blocks, source_url) if blocks.items else None
    if exported is None:
        exported = _built_in_full(subscription, today, blocks, source_url)
    if exported is None:
        return None
    feed_blocks.save(subscription.id, blocks)
    response = _feed_headers(ics_response(exported), exported.filename)
    # The validator was read before the build: if the data changed in between, this entry is for a state
    # that is already gone and will not be looked up again.
    built_etag = response.get_etag()[0]
    if built_etag is not None:  # ics_response always sets one; without it there would be nothing to match
        built = _BuiltFeed(built_etag, exported.last_modified, exported.filename)
        built_feeds.put(key, built)
        if built != known:  # a plain GET of a state already shared (the common case) writes nothing
            _shared_put(key, built)
        _store_body(key, built, exported.body)
    return response.make_conditional(request)


def _from_blocks(
    subscription: FeedState, today: date, blocks: feed_blocks.EventBlocks, source_url: str
) -> ExportedCalendar | None:
    """A draft's feed from its kept blocks, the programme read as columns; None: build it in full.

    A feed that shows a release draws a programme rebuilt from the release's snapshot, which
    has no columns to read: it is built in full (from its kept blocks as well).
    """
    if subscription.release_number is not None:
        return None
    workload.whole_programme()  # the whole programme's rows, one at a time per worker (planner.workload)
    delegation = db.session.get(Delegation, subscription.delegation_id)
    member = queries.feed_member_alone(subscription.member_id)
    if delegation is None or (subscription.member_id is not None and member is None):
        return None  # gone, or in the trash: the full build finds that out again and answers accordingly
    shown = shown_programme(delegation, member, None, follows_release=subscription.follows == FeedFollows.RELEASED)
    return export_feed(
        delegation,
        shown.member,
        locale=subscription.locale,
        today=today,
        source_url=source_url,
        viewer=Viewer(subscription.audience, shown.member),
        version=shown.version,
        blocks=blocks,
    )


def _built_in_full(
    subscription: FeedState, today: date, blocks: feed_blocks.EventBlocks, source_url: str
) -> ExportedCalendar | None:
    """The feed built from the whole programme loaded (using the kept blocks); None if its trip or member is gone."""
    delegation = queries.delegation_with_programme(subscription.delegation_id)
    if delegation is None:  # deleted since the token was read (the token row goes with it)
        return None
    member = queries.feed_member(delegation, subscription.member_id)
    if subscription.member_id is not None and member is None:
        # The member is in the trash: their feed must not fall back to the whole trip's.
        return None
    shown = shown_programme(
        delegation, member, subscription.release_number, follows_release=subscription.follows == FeedFollows.RELEASED
    )
    return export_calendar(
        shown.programme,
        Scope(member=shown.member),
        locale=subscription.locale,
        today=today,
        source_url=source_url,
        viewer=Viewer(subscription.audience, shown.member),
        version=shown.version,
        blocks=blocks,
    )


def _key(subscription: FeedState, today: date) -> tuple:
    # The root URL as its parts (it is a function of them): building the string costs more than the rest of the key.
    # The state the body was built from comes last: _shared_name names the entry by everything before it.
    return (
        subscription.id,
        subscription.token,
        subscription.member_id,
        subscription.locale,
        subscription.audience,
        subscription.follows,
        request.scheme,
        request.host,
        request.root_path,
        subscription.with_today(today),
    )


@cache
def _code_version() -> bytes:
    """A digest of what turns the same data into other bytes: the planner's code, its translations, the libraries.

    The shared entries outlive a deployment (the in-memory ones do not): a new version that words or
    serializes a feed differently must not answer 304 for a body built by the previous one. Read once
    per process (a deployment changes these only with a restart): about 10 ms for the whole package.
    """
    root = Path(__file__).parents[1]
    digest = hashlib.blake2b(digest_size=16)
    paths = []
    for folder, folders, files in os.walk(root):
        folders[:] = [name for name in folders if name not in {"static", "__pycache__"}]  # no code in there
        paths += [Path(folder) / name for name in files if name.endswith((".py", ".mo"))]
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    for package in ("icalendar", "tzdata", "babel"):
        try:
            digest.update(f"|{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"|{package}=-".encode())
    return digest.digest()


def _digest(parts: tuple) -> str:
    # repr is exact and the same in every process for what a key holds (ints, strs, enums, aware datetimes, dates).
    whole = (_code_version().hex(), current_app.config["HOME_TIMEZONE"], parts)
    return hashlib.blake2b(repr(whole).encode("utf-8"), digest_size=16).hexdigest()


def _shared_name(key: tuple) -> str:
    # One entry per feed (and root URL), overwritten when its state changes, so the store does not
    # fill with one file per edit; a digest, since the key holds the token (a secret) and the host.
    return f"feed-poll:{_digest(key[:-1])}"


def _shared_get(key: tuple) -> _BuiltFeed | None:
    """The validators another worker stored for exactly ``key`` (the feed *and* the state it was built from), or None."""
    raw = jobs().cache.get(_shared_name(key))
    if raw is None:
        return None
    try:
        kept = json.loads(decrypt_bytes(raw))
        if kept["state"] != _digest(key):
            return None  # built from another state: the feed changed since (or the entry is older)
        return _BuiltFeed(kept["etag"], datetime.fromisoformat(kept["last_modified"]), kept["filename"])
    except (DataKeyError, ValueError, KeyError, TypeError):
        log.info("feed %s: stored validators unreadable, building the feed", key[0])
        return None


def _shared_put(key: tuple, built: _BuiltFeed) -> None:
    """Keep the validators of a body built from ``key`` for every worker and host.

    Encrypted like the feed's blocks: the file name is the member's name for a member's feed. Two
    workers writing at once (an old state and a new) at worst leave the old one, which matches no
    state read from now on: the next poll builds once more, it never gets a wrong 304.
    """
    kept = {
        "state": _digest(key),
        "etag": built.etag,
        "last_modified": built.last_modified.isoformat(),
        "filename": built.filename,
    }
    body = json.dumps(kept, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    jobs().cache.set(_shared_name(key), encrypt_bytes(body), float(current_app.config["FEED_BLOCK_SECONDS"]))


def _body_name(key: tuple) -> str:
    return f"feed-body:{_digest(key[:-1])}"


def _stored_body(key: tuple, known: _BuiltFeed) -> bytes | None:
    """The body built for exactly ``key`` (the feed and the state it was built from) with ``known``'s ETag, or None.

    A feed of 3,000 appointments built again from its kept blocks took a worker 0.4 s and about 50 MiB for
    every plain GET; read from here, a few MiB and milliseconds. The body is kept compressed inside the token
    (:func:`_store_body`): opening the token copies it several times, and a compressed 2.6 MB body is 0.3 MB.
    """
    raw = jobs().cache.get(_body_name(key))
    if raw is None:
        return None
    try:
        header, packed = decrypt_bytes(raw).split(b"\n", 1)
        kept = json.loads(header)
        body = zlib.decompress(packed)
    except (DataKeyError, zlib.error, ValueError):
        log.info("feed %s: stored body unreadable, building the feed", key[0])
        return None
    if kept.get("state") != _digest(key) or kept.get("etag") != known.etag:
        return None  # built from another state (the feed changed since), or by another version of the code
    return body


def _store_body(key: tuple, built: _BuiltFeed, body: bytes) -> None:
    """Keep the body built from ``key`` for the next plain GET of any worker, encrypted like the feed's blocks.

    The header (one line of JSON) stays plain inside the token and only the body is compressed, so that reading
    it back decompresses straight into the bytes that are sent (no further copy of a large body).
    """
    header = json.dumps({"state": _digest(key), "etag": built.etag}, separators=(",", ":")).encode("ascii")
    packed = zlib.compress(body, 1)
    jobs().cache.set(_body_name(key), encrypt_bytes(header + b"\n" + packed), float(current_app.config["FEED_BLOCK_SECONDS"]))


def _feed_headers(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # The URL is a secret: shared caches must not keep it; clients revalidate with the ETag.
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@dataclass(frozen=True)
class _BuiltFeed:
    """What a 304 repeats of a body built before (by this worker or another): its validators and file name."""

    etag: str
    last_modified: datetime
    filename: str

    def unchanged(self) -> Response:
        """An empty body with the built one's headers: make_conditional turns it into the 304."""
        return Response(b"", headers=self.headers())

    def headers(self) -> list[tuple[str, str]]:
        """The built response's headers (a body given with them sets its own Content-Length), a list of its own."""
        return list(self._headers)

    @cached_property
    def _headers(self) -> list[tuple[str, str]]:
        # Formatted once per entry, not at every poll: the dates, the quoted ETag and Cache-Control took a
        # tenth of a poll's time in the profile. A copy goes into each response (make_conditional changes it).
        unchanged = Response(b"", content_type=f"{ICS_MIMETYPE}; charset=utf-8")
        unchanged.last_modified = self.last_modified
        unchanged.set_etag(self.etag)
        return list(_feed_headers(unchanged, self.filename).headers.items())


class _BuiltFeeds:
    """The feeds this worker built or found in the shared store, by the state they were built from.

    Small (a few hundred entries of three short values, oldest dropped
    first) and per worker: the first level, so a poll this worker knows reads no store.
    """

    LIMIT = 512

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple, _BuiltFeed] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple) -> _BuiltFeed | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple, value: _BuiltFeed) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.LIMIT:
                self._entries.popitem(last=False)


def _built_feeds() -> _BuiltFeeds:
    return current_app.extensions.setdefault("planner_built_feeds", _BuiltFeeds())
