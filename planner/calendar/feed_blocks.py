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

The blocks of one feed (its token row: one audience, member, locale) are one
entry of the jobs store (:mod:`planner.jobs.store`: the instance folder, or
Redis when ``REDIS_URL`` is set, shared by every host), holding only the
blocks the last build used. The entry is encrypted with the data keys
(:mod:`planner.encryption`): it holds what the feed shows (attendees' names,
contact phone numbers, internal notes for the team's feeds), and the store is
no place for that in the clear. A block that cannot be read (another key, a
damaged entry) is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import icalendar
from flask import current_app

from planner.calendar import ical
from planner.encryption import DataKeyError, decrypt_bytes, encrypt_bytes
from planner.jobs import jobs

log = logging.getLogger(__name__)

FORMAT = 1

# The code that turns values into bytes: a deployment with another icalendar or another event
# serialization must not reuse the blocks of the previous one.
_CODE = hashlib.blake2b(f"{FORMAT}|{icalendar.__version__}|".encode() + Path(ical.__file__).read_bytes(), digest_size=16).digest()


def digest(values: ical.EventValues) -> str:
    """The name of the block that ``values`` serialize to."""
    # repr is exact for what values hold (str, int, float, date, aware datetime with its zone key, tuples).
    return hashlib.blake2b(repr(values).encode("utf-8"), digest_size=16, key=_CODE).hexdigest()


class EventBlocks:
    """Blocks by digest, from the last build of one feed; counts what this build serialized anew."""

    def __init__(self, known: dict[str, bytes] | None = None) -> None:
        self.known = known or {}
        self.used: dict[str, bytes] = {}
        self.serialized = 0  # events serialized in this build (the rest came from ``known``)

    def block(self, values: ical.EventValues) -> bytes:
        name = digest(values)
        found = self.known.get(name)
        if found is None:
            found = ical.event_from_values(values).to_ical()
            self.serialized += 1
        self.used[name] = found
        return found

    @property
    def changed(self) -> bool:
        """Whether the blocks to keep differ from those found (new ones, or some no longer used)."""
        return self.serialized > 0 or len(self.used) != len(self.known)


def _name(feed_id: int) -> str:
    return f"feed-blocks:{feed_id}"


def load(feed_id: int) -> EventBlocks:
    """The blocks kept for feed ``feed_id`` (none when there are none or they cannot be read)."""
    raw = jobs().store.get(_name(feed_id))
    if raw is None:
        return EventBlocks()
    try:
        kept = json.loads(decrypt_bytes(raw))
        if kept.get("format") != FORMAT:
            return EventBlocks()
        return EventBlocks({name: block.encode("utf-8") for name, block in kept["blocks"].items()})
    except (DataKeyError, ValueError, KeyError, AttributeError):
        log.info("feed %s: kept event blocks unreadable, building all events", feed_id)
        return EventBlocks()


def save(feed_id: int, blocks: EventBlocks) -> None:
    """Keep the blocks this build used for the feed's next build (when they changed)."""
    if not blocks.changed:
        return
    kept = {"format": FORMAT, "blocks": {name: block.decode("utf-8") for name, block in blocks.used.items()}}
    body = json.dumps(kept, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    jobs().store.set(_name(feed_id), encrypt_bytes(body), float(current_app.config["FEED_BLOCK_SECONDS"]))
