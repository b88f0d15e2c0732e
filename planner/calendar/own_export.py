"""Recognising what our own calendar export wrote, so that importing it back changes nothing.

The exporter (:mod:`planner.calendar.ical`) decorates what it writes: SUMMARY
carries the status ("Abgesagt: …", "… (vorläufig)", because Outlook ignores
STATUS), a journey's SUMMARY is "<mode> <from> → <to> (<carrier number>)",
LOCATION joins venue and address, and DESCRIPTION is generated from many
fields and ends with a link back to the planner. Read naively, every import
of such a file adds another layer ("… (vorläufig) (vorläufig)", notes that
contain the generated description, places with the carrier stuck to them).

This module knows those decorations in every language the planner speaks (a
file exported in English may be imported by a planner using German) and
takes them off again. It asks the exporter itself for the texts, so a change
of wording there is followed here; it deliberately does not depend on which
sections a DESCRIPTION has (they differ per audience), only on the link line
and the first line that every generated description starts or ends with.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from planner import labels
from planner.calendar import ical
from planner.models import Appointment, AppointmentKind, ItemStatus, Journey, JourneyMode

T = TypeVar("T")

_TITLE = "%(title)s"
_URL = "%(url)s"
# The texts below are the exporter's own msgids; the exporter uses them through its phrasebook.
_CANCELLED = "Abgesagt: %(title)s"
_TENTATIVE = "%(title)s (vorläufig)"
_LINK = "Im Delegationsplaner: %(url)s"
ROUTE_ARROW = " → "


def in_every_locale(make: Callable[[], T]) -> list[T]:
    """``make()`` once in each language of the planner (the exporter writes in the subscriber's)."""
    results = []
    for locale in current_app.config["LANGUAGES"]:
        with force_locale(locale):
            results.append(make())
    return results


def _affixes(template: str) -> tuple[str, str]:
    prefix, _sep, suffix = template.partition(_TITLE)
    return prefix, suffix


@dataclass(frozen=True)
class OwnExport:
    """The decorations of our exporter in every language; build one per import with :meth:`current`."""

    status_affixes: dict[ItemStatus, tuple[tuple[str, str], ...]]
    link_line: re.Pattern[str]
    first_line: re.Pattern[str]
    mode_labels: dict[str, JourneyMode]  # longest label first: "Sonstige Reise" before a shorter one

    @classmethod
    def current(cls) -> OwnExport:
        """Read the exporter's texts in every configured language (needs an application context)."""
        cancelled = tuple(dict.fromkeys(in_every_locale(lambda: _affixes(_(_CANCELLED, title=_TITLE)))))
        tentative = tuple(dict.fromkeys(in_every_locale(lambda: _affixes(_(_TENTATIVE, title=_TITLE)))))
        links = in_every_locale(lambda: _(_LINK, url=_URL))
        link_line = re.compile(
            "|".join(re.escape(text).replace(re.escape(_URL), r"https?://\S+") for text in dict.fromkeys(links))
        )
        kinds = _labels(list(AppointmentKind))
        statuses = _labels(list(ItemStatus))
        first_line = re.compile(f"(?:{_alternatives(kinds)}) · (?:{_alternatives(statuses)})")
        pairs = [(text, mode) for mode in JourneyMode for text in in_every_locale(partial(labels.label, mode))]
        modes = dict(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True))
        return cls(
            status_affixes={ItemStatus.CANCELLED: cancelled, ItemStatus.TENTATIVE: tentative},
            link_line=link_line,
            first_line=first_line,
            mode_labels=modes,
        )

    def title(self, summary: str, status: ItemStatus | None) -> str:
        """``summary`` without the status decoration the exporter adds for ``status``.

        Only the decoration that matches the file's STATUS is taken off: a
        confirmed event called "Probe (vorläufig)" keeps its name.
        """
        for prefix, suffix in self.status_affixes.get(status, ()) if status is not None else ():
            if summary.startswith(prefix) and summary.endswith(suffix) and len(summary) > len(prefix) + len(suffix):
                return summary[len(prefix) : len(summary) - len(suffix)].strip()
        return summary

    def is_generated_description(self, text: str | None) -> bool:
        """Whether a DESCRIPTION is one our exporter generated (never a planner's note).

        Recognised by the link back to the planner on a line of its own, or by
        the "<kind> · <status>" line every appointment description starts with.
        """
        if not text:
            return False
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        if any(self.link_line.fullmatch(line) for line in lines):
            return True
        return bool(lines) and self.first_line.fullmatch(lines[0]) is not None

    def journey_route(self, title: str, *, arrival_hint: str | None = None) -> JourneyRoute | None:
        """Mode, departure, arrival and connection from a journey title as the exporter writes it.

        "Flug Seoul Incheon (ICN) → Chongqing Jiangbei (CKG) (Air China CA 123)"
        gives flight, "Seoul Incheon (ICN)", "Chongqing Jiangbei (CKG)", "Air China CA 123".
        Places may end in brackets themselves; the trailing bracket is the
        connection when ``arrival_hint`` (the arrival we already have) says
        so, else when it looks like one (contains a digit or a blank). None
        when the title is not in our format.
        """
        text = next((text for text in self.mode_labels if title.startswith(text + " ")), None)
        if text is None:
            return None
        rest = title[len(text) + 1 :]
        if rest.count(ROUTE_ARROW) != 1:
            return None
        departure, arrival = (part.strip() for part in rest.split(ROUTE_ARROW))
        connection = None
        if arrival_hint and arrival.startswith(arrival_hint + " (") and arrival.endswith(")"):
            arrival, connection = arrival_hint, arrival[len(arrival_hint) + 2 : -1].strip()
        else:
            split = _trailing_bracket(arrival)
            if split is not None and re.search(r"[\d\s]", split[1]):
                arrival, connection = split
        if not departure or not arrival:
            return None
        return JourneyRoute(self.mode_labels[text], departure, arrival, connection or None)


@dataclass(frozen=True)
class JourneyRoute:
    """What a journey SUMMARY in our format says."""

    mode: JourneyMode
    departure: str
    arrival: str
    connection: str | None  # carrier and number as one text


def summaries(row: Appointment | Journey) -> set[str]:
    """Every SUMMARY our exporter writes for ``row`` (one per language)."""
    make = (lambda: ical.journey_summary(row)) if isinstance(row, Journey) else (lambda: ical.appointment_summary(row))
    return set(in_every_locale(make))


def _labels(values: Iterable[enum.Enum]) -> list[str]:
    return list(dict.fromkeys(label for value in values for label in in_every_locale(partial(labels.label, value))))


def _alternatives(texts: Iterable[str]) -> str:
    return "|".join(re.escape(text) for text in texts)


def _trailing_bracket(text: str) -> tuple[str, str] | None:
    """Split "Place (ICN) (Carrier (X) 12)" into ("Place (ICN)", "Carrier (X) 12") at the last balanced bracket."""
    if not text.endswith(")"):
        return None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        if text[index] == ")":
            depth += 1
        elif text[index] == "(":
            depth -= 1
            if depth == 0:
                head = text[:index].rstrip()
                return (head, text[index + 1 : -1].strip()) if head and text[index - 1 : index] == " " else None
    return None
