"""A feed's serialized events, kept between builds: after one change only that event is serialized again.

Serializing the events (escaping, folding, the typed values of icalendar) is
most of the time a feed build takes; between two builds of a feed usually
one or two events differ. :func:`planner.calendar.ical.build_calendar` takes
an :class:`EventBlocks` and asks it for each event's bytes by the event's
*values* (:data:`planner.calendar.ical.EventValues`: every property as plain
data, texts already translated and filtered for the feed's audience). A
block is stored under a digest of exactly those values and of the code that
turns values into bytes, so

* a block can only be reused for an event that would serialize to the same
  bytes (a renamed attendee, a new address of the organization, another
  locale or audience all give other values, hence another digest), and the
  assembled calendar equals a full build byte for byte (tests/calendar/test_feed_blocks.py);
* nothing needs to be invalidated: a changed event simply finds no block.

Working out an event's values costs about as much as loading it, so a build
first looks an item up by :func:`item_key` (the ids and versions of every row
its event reads, its revision and LAST-MODIFIED, and the feed's reader,
language and links: a tuple of integers) and works out the values only for
items it does not find; the block is still named by the values' digest. The
tests compare the result with a full build after each kind of change. A
draft's feed makes the same keys (:func:`key_of`) from the programme read as
columns and loads only the items it does not find
(:mod:`planner.calendar.feed_build`).

The blocks of one feed (its token row: one audience, member, locale) are one
entry of the jobs store (:mod:`planner.jobs.store`: the instance folder, or
Redis when ``REDIS_URL`` is set, shared by every host), holding only the
blocks the last build used. The entry is encrypted with the data keys
(:mod:`planner.encryption`): it holds what the feed shows (attendees' names,
contact phone numbers, internal notes for the team's feeds), and the store is
no place for that in the clear. It is compressed before it is encrypted: a
feed's blocks are repetitive text (a tenth of the size compressed), and what a
worker holds while it opens the entry is a few copies of the token. A block
that cannot be read (another key, a damaged entry) is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

import icalendar
from flask import current_app

from planner.calendar import ical
from planner.encryption import DataKeyError, decrypt_bytes, encrypt_bytes
from planner.jobs import jobs
from planner.models import Appointment, Member

log = logging.getLogger(__name__)

FORMAT = 2

# The code that turns values into bytes: a deployment with another icalendar or another event
# serialization must not reuse the blocks of the previous one. The compiled translations word the
# events, so the shortcut by item (see :meth:`EventBlocks.of_item`) must not outlive them either.
_CODE = hashlib.blake2b(f"{FORMAT}|{icalendar.__version__}|".encode() + Path(ical.__file__).read_bytes(), digest_size=16).digest()
_WORDING = hashlib.blake2b(
    _CODE + b"".join(path.read_bytes() for path in sorted((Path(ical.__file__).parents[1] / "translations").rglob("*.mo"))),
    digest_size=16,
).digest()


def digest(values: ical.EventValues) -> str:
    """The name of the block that ``values`` serialize to."""
    # repr is exact for what values hold (str, int, float, date, aware datetime with its zone key, tuples).
    return hashlib.blake2b(repr(values).encode("utf-8"), digest_size=16, key=_CODE).hexdigest()


def _row(row: Any) -> tuple[int, int] | None:
    return None if row is None else (row.id, row.version)


def item_key(
    item: ical.Item, request: ical.CalendarRequest, people: dict[int, str] | None = None, common: tuple | None = None
) -> str:
    """What an item's event is made from, as row versions: equal keys, equal values.

    Every row the event reads, by id and ``version`` (raised at each flush that changes the
    row's own data or its many-to-many lists, :mod:`planner.models.revisions`), the item's
    revision and LAST-MODIFIED, and who the calendar is for, in which language, with which
    links. Working out the values of every event again costs about as much as loading them;
    this key costs a few integers. ``people`` remembers each member's part for one build,
    ``common`` is :func:`reader_key` of ``request`` when the caller has it already.
    """
    people = {} if people is None else people
    parts: tuple[Any, ...]
    if isinstance(item, Appointment):
        rows = (_row(item.organization), _row(item.contact_person), _row(item.city))
        parts = ("A", item.id, item.version, item.revision, rows, _people(item.attendees, people))
    else:
        parts = ("J", item.id, item.version, item.revision, _row(item.departure_city), _people(item.travellers, people))
    changed = request.last_changes.get((type(item), item.id)) if request.last_changes is not None else None
    return key_of(parts, changed or ical.last_change(item), item.created_at, item.uid, common or reader_key(request))


def key_of(parts: tuple, changed: datetime, created_at: datetime, uid: str, common: tuple) -> str:
    """The key of an item from its parts: what :func:`item_key` makes of ORM rows, and the feed build of columns.

    ``parts``: ``("A", id, version, revision, (organization, contact person, city), people)`` for an
    appointment, ``("J", id, version, revision, departure city, people)`` for a journey, each related
    row as ``(id, version)`` or None and the people as :func:`member_part` joined by commas, in list order.
    """
    whole = (parts, changed, created_at, uid, common)
    return hashlib.blake2b(repr(whole).encode("utf-8"), digest_size=16, key=_WORDING).hexdigest()


def member_part(member_id: int, version: int, person_id: int, person_version: int) -> str:
    """One attendee's or traveller's part of an item key: their row and their person's, by version."""
    return f"{member_id}.{version}.{person_id}.{person_version}"


def reader_key(request: ical.CalendarRequest) -> tuple:
    """The part of every item's key that is the same for the whole calendar: its reader, language and links."""
    viewer = request.viewer
    member = viewer.member
    reader = (viewer.audience.value, _row(member), member.role.value if member is not None else None)
    return (reader, request.locale, request.link_for(request.delegation))


def _people(members: list[Member], people: dict[int, str]) -> str:
    # The same fifty members attend most appointments: each member's part is written once per build.
    parts = []
    for member in members:
        part = people.get(member.id)
        if part is None:
            part = people[member.id] = member_part(member.id, member.version, member.person_id, member.person.version)
        parts.append(part)
    return ",".join(parts)


class EventBlocks:
    """Blocks by digest and items' entries by :func:`item_key`, from the last build of one feed.

    Counts what this build serialized anew (``serialized``) and whose values it worked out again (``valued``).
    """

    def __init__(
        self, known: dict[str, bytes] | None = None, items: dict[str, tuple[tuple[str, str], str]] | None = None
    ) -> None:
        self.known = known or {}
        self.items = items or {}
        self.used: dict[str, bytes] = {}
        self.used_items: dict[str, tuple[tuple[str, str], str]] = {}
        self.serialized = 0  # events serialized in this build (the rest came from ``known``)
        self.valued = 0  # events whose values were worked out (the rest were found by their item key)
        self._people: dict[int, str] = {}
        # reader_key of the request being built (one request per build): its page link costs a url_for.
        self._common: tuple[ical.CalendarRequest, tuple] | None = None

    def _key(self, item: ical.Item, request: ical.CalendarRequest) -> str:
        if self._common is None or self._common[0] is not request:
            self._common = (request, reader_key(request))
        return item_key(item, request, self._people, self._common[1])

    def of_item(self, item: ical.Item, request: ical.CalendarRequest) -> tuple[tuple[str, str], bytes] | None:
        return self.find(self._key(item, request))

    def keep(
        self, item: ical.Item, request: ical.CalendarRequest, sort_key: tuple[str, str], values: ical.EventValues
    ) -> tuple[tuple[str, str], bytes]:
        return self.store(self._key(item, request), sort_key, values)

    def find(self, name: str) -> tuple[tuple[str, str], bytes] | None:
        """The sort key and bytes kept for the item key ``name`` (noted as used), or None."""
        entry = self.items.get(name)
        if entry is None:
            return None
        sort_key, block_name = entry
        block = self.known.get(block_name)
        if block is None:
            return None
        self.used[block_name] = block
        self.used_items[name] = entry
        return sort_key, block

    def store(self, name: str, sort_key: tuple[str, str], values: ical.EventValues) -> tuple[tuple[str, str], bytes]:
        """The bytes of ``values`` (serialized unless a block of equal values is kept), kept for the item key ``name``."""
        self.valued += 1
        block_name = digest(values)
        block = self.known.get(block_name)
        if block is None:
            block = ical.event_from_values(values).to_ical()
            self.serialized += 1
        self.used[block_name] = block
        self.used_items[name] = (sort_key, block_name)
        return sort_key, block

    @property
    def changed(self) -> bool:
        """Whether what to keep differs from what was found (new entries, or some no longer used)."""
        return self.valued > 0 or len(self.used) != len(self.known) or len(self.used_items) != len(self.items)

    def carried(self) -> EventBlocks:
        """What the next build starts from: the blocks and entries this one used."""
        return EventBlocks(dict(self.used), dict(self.used_items))


def _name(feed_id: int) -> str:
    return f"feed-blocks:{feed_id}"


def load(feed_id: int) -> EventBlocks:
    """The blocks kept for feed ``feed_id`` (none when there are none or they cannot be read)."""
    raw = jobs().cache.get(_name(feed_id))
    if raw is None:
        return EventBlocks()
    try:
        kept = json.loads(zlib.decompress(decrypt_bytes(raw)))
        if kept.get("format") != FORMAT:
            return EventBlocks()
        blocks = {name: block.encode("utf-8") for name, block in kept["blocks"].items()}
        items = {name: ((start, uid), block) for name, (start, uid, block) in kept["items"].items()}
        return EventBlocks(blocks, items)
    except (DataKeyError, zlib.error, ValueError, KeyError, AttributeError, TypeError):
        log.info("feed %s: kept event blocks unreadable, building all events", feed_id)
        return EventBlocks()


def save(feed_id: int, blocks: EventBlocks) -> None:
    """Keep the blocks this build used for the feed's next build (when they changed)."""
    if not blocks.changed:
        return
    kept = {
        "format": FORMAT,
        "blocks": {name: block.decode("utf-8") for name, block in blocks.used.items()},
        "items": {name: [start, uid, block] for name, ((start, uid), block) in blocks.used_items.items()},
    }
    body = json.dumps(kept, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # Level 1: most of the size for a fraction of the time of a higher level.
    jobs().cache.set(_name(feed_id), encrypt_bytes(zlib.compress(body, 1)), float(current_app.config["FEED_BLOCK_SECONDS"]))
