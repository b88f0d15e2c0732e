"""What a brief is rendered for: audience, language, sections and (for a personal brief) the member.

The web form and the ``export-brief`` command both end in
:func:`check_options`, so a URL and a command line with the same choices get
the same brief, and the same refusal for the same mistake.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.editing import Rejected
from planner.models import Audience as ReaderAudience


class Audience(enum.StrEnum):
    """The brief's variants as URLs and the command line name them; each maps onto one audience of
    :mod:`planner.audiences`, whose rules decide what the variant prints."""

    FULL = "full"  # the planning team: everything (the leader reads their own member brief)
    MEMBER = "member"  # one member's personal brief: their items; briefing material where briefed
    PRESS = "press"  # public items only: no contact data, nothing internal


# The one definition of who reads what (planner.audiences) behind each variant of the brief.
READERS = {
    Audience.FULL: ReaderAudience.TEAM,
    Audience.MEMBER: ReaderAudience.MEMBER,
    Audience.PRESS: ReaderAudience.PRESS,
}


class Edition(enum.StrEnum):
    """Which programme a brief prints: the version in force, or the draft as it is now."""

    RELEASED = "released"  # the approved release in force (the default when there is one)
    DRAFT = "draft"


EDITION_LABELS = {
    Edition.RELEASED: _l("Freigegebene Fassung"),
    Edition.DRAFT: _l("Entwurf (aktueller Stand)"),
}


LANGUAGES = ("de", "en")

# The cover is always printed; these can be left out. Order = order in the brief.
SECTIONS = ("contents", "delegation", "glance", "programme", "briefings", "partner", "contacts", "followups")

AUDIENCE_LABELS = {
    Audience.FULL: _l("Gesamtbriefing (Planungsteam, mit internen Hinweisen)"),
    Audience.MEMBER: _l("Persönliches Programm eines Mitglieds"),
    Audience.PRESS: _l("Presse- und Öffentlichkeitsprogramm"),
}

# The form's member select and its empty choice, here so the refusal above names them as the form shows them.
MEMBER_FIELD_LABEL = _l("Persönliches Programm für")
NO_MEMBER_LABEL = _l("– keine Auswahl (ganze Delegation) –")

SECTION_LABELS = {
    "contents": _l("Inhalt"),
    "delegation": _l("Die Delegation"),
    "glance": _l("Auf einen Blick"),
    "programme": _l("Programm"),
    "briefings": _l("Gesprächsunterlagen"),
    "partner": _l("Städtepartnerschaft"),
    "contacts": _l("Kontakte und Notfälle"),
    "followups": _l("Nachbereitung"),
}

# Sections that only hold internal material; the press programme never has them.
INTERNAL_SECTIONS = frozenset({"contacts", "followups"})


@dataclass(frozen=True)
class BriefOptions:
    audience: Audience = Audience.FULL
    person_id: int | None = None  # the member of a personal brief (a Person id, as in the directory)
    lang: str = "de"
    sections: frozenset[str] = frozenset(SECTIONS)
    # None: the released version when there is one, else the draft (decided when the source is loaded).
    edition: Edition | None = None

    def has(self, section: str) -> bool:
        if self.audience is Audience.PRESS and section in INTERNAL_SECTIONS:
            return False
        return section in self.sections

    @property
    def slug(self) -> str:
        """A short ASCII name for files: 'full-de', 'member-12-en'."""
        who = f"-{self.person_id}" if self.audience is Audience.MEMBER else ""
        draft = "-draft" if self.edition is Edition.DRAFT else ""
        return f"{self.audience.value}{who}-{self.lang}{draft}"


def check_options(
    audience: str | None,
    person_id: str | int | None,
    lang: str | None,
    sections: Iterable[str] | None,
    *,
    default_lang: str = "de",
    edition: str | None = None,
) -> BriefOptions:
    """Turn raw choices into :class:`BriefOptions` or raise :class:`~planner.editing.Rejected`.

    A member means the member's personal brief, with no audience or with
    "full" (the form's preselected variant: whoever picks a person wants that
    person's programme, and the full brief of one person is just that). The press
    programme together with a member is refused rather than guessed, since the
    press programme of one person is no brief anyone asked for; the message names
    the controls as the form labels them. No sections means all of them; no
    edition means the released version when there is one.
    """
    if person_id in ("", None):
        person = None
    else:
        try:
            person = int(person_id)
        except (TypeError, ValueError):
            raise Rejected("member", _l("Die Person muss als Nummer (ID) angegeben werden.")) from None
        if person <= 0:
            raise Rejected("member", _l("Die Person muss als Nummer (ID) angegeben werden."))

    if audience in ("", None):
        chosen = Audience.MEMBER if person is not None else Audience.FULL
    elif audience == Audience.FULL and person is not None:
        chosen = Audience.MEMBER
    else:
        try:
            chosen = Audience(audience)
        except ValueError:
            raise Rejected(
                "audience", _("Unbekannte Zielgruppe „%(value)s“. Möglich sind: full, member, press.", value=audience)
            ) from None
    if chosen is Audience.MEMBER and person is None:
        raise Rejected("member", _l("Für ein persönliches Programm wählen Sie bitte ein Mitglied aus."))
    if chosen is not Audience.MEMBER and person is not None:
        raise Rejected(
            "member",
            _(
                "Ein „%(field)s“ eine Person gibt es nur in der Fassung „%(variant)s“. "
                "Bitte wählen Sie diese Fassung oder bei „%(field)s“ „%(none)s“.",
                field=MEMBER_FIELD_LABEL,
                variant=AUDIENCE_LABELS[Audience.MEMBER],
                none=NO_MEMBER_LABEL,
            ),
        )

    language = lang or default_lang
    if language not in LANGUAGES:
        raise Rejected("lang", _("Unbekannte Sprache „%(value)s“. Möglich sind: de, en.", value=language))

    chosen_sections = [s for s in (sections or []) if s != ""]
    unknown = sorted(set(chosen_sections) - set(SECTIONS))
    if unknown:
        raise Rejected(
            "sections",
            _("Unbekannter Abschnitt „%(value)s“. Möglich sind: %(known)s.", value=", ".join(unknown), known=", ".join(SECTIONS)),
        )
    if edition in ("", None):
        chosen_edition = None
    else:
        try:
            chosen_edition = Edition(edition)
        except ValueError:
            raise Rejected(
                "edition", _("Unbekannte Fassung „%(value)s“. Möglich sind: released, draft.", value=edition)
            ) from None
    return BriefOptions(
        edition=chosen_edition,
        audience=chosen,
        person_id=person,
        lang=language,
        sections=frozenset(chosen_sections) if chosen_sections else frozenset(SECTIONS),
    )
