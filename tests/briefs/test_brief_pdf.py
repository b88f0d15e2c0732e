"""The Keller brief as PDF, read back with poppler: content, order, audiences, print quality.

Expected values are computed here from the database with zoneinfo, not with
the app's own formatting helpers, and compared with what pdftotext reads.
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from planner.extensions import db
from planner.models import Appointment, Delegation, Journey, Leg, Organization, Person
from tests.briefs.conftest import ARTIFACTS, BOOKING_REFERENCE, KellerBriefs, RenderedPdf, normalise, squash

HOME = ZoneInfo("Europe/Berlin")
GERMAN_DAYS = ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So.")
GERMAN_MONTHS = ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez.")


def german_day(moment: datetime) -> str:
    return f"{GERMAN_DAYS[moment.weekday()]}, {moment.day}. {GERMAN_MONTHS[moment.month - 1]} {moment.year}"


def hm(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def arrival_clock(journey: dict) -> str:
    """The arrival as the brief writes it: '08:55', with its day when that is not the departure's ('Mo., 14. Okt., 08:55')."""
    arrive = journey["arrive"]
    if arrive.date() == journey["depart"].date():
        return hm(arrive)
    return f"{GERMAN_DAYS[arrive.weekday()]}, {arrive.day}. {GERMAN_MONTHS[arrive.month - 1]}, {hm(arrive)}"


def programme_of(keller: KellerBriefs) -> tuple[list[dict], list[dict], list[dict]]:
    """Appointments, journeys and members of the Keller trip as plain dicts (outside any session)."""
    with keller.app.app_context():
        delegation = db.session.get(Delegation, keller.delegation_id)
        appointments = [
            {
                "title": a.title,
                "kind": a.kind,
                "start": a.start_at.astimezone(ZoneInfo(a.timezone)),
                "end": a.end_at.astimezone(ZoneInfo(a.timezone)),
                "place": a.city.name,
                "venue": a.venue,
                "attendees": {m.person_id for m in a.attendees},
            }
            for a in delegation.appointments
        ]
        journeys = [
            {
                "depart": j.depart_at.astimezone(ZoneInfo(j.departure_timezone)),
                "arrive": j.arrive_at.astimezone(ZoneInfo(j.arrival_timezone)),
                "from": j.departure_city.name,
                "to": j.arrival_city.name,
                "travellers": {m.person_id for m in j.travellers},
            }
            for j in delegation.journeys
        ]
        members = [{"person_id": m.person_id, "name": m.person.display_name} for m in delegation.members]
    return appointments, journeys, members


def first_page_with(pdf: RenderedPdf, needle: str, start: int = 0) -> int:
    for index in range(start, len(pdf.pages)):
        if squash(needle).casefold() in squash(pdf.pages[index]).casefold():  # headings may be set in capitals
            return index
    raise AssertionError(f"{needle!r} is on no page from {start + 1} on")


def _tokens(text: str) -> list[str]:
    return re.findall(r"[^\s–-]+", text)


def has_in_order(page: str, needle: str) -> bool:
    """Whether the words of ``needle`` occur in ``page`` in order.

    pdftotext reads a two-column entry (times beside the title) line by line,
    so a wrapped title can be interleaved with the time column's lines.
    """
    wanted = _tokens(needle)
    position = 0
    for token in _tokens(page):
        if position < len(wanted) and token == wanted[position]:
            position += 1
    return position == len(wanted)


def programme_start(pdf: RenderedPdf) -> int:
    """Index of the page where the programme chapter begins (after the table of contents)."""
    contents = first_page_with(pdf, "Inhalt")
    return next(i for i in range(contents + 1, len(pdf.pages)) if re.search(r"^Programm$", pdf.pages[i], re.M))


# -- the full brief ----------------------------------------------------------------------


def test_day_headings_in_order_each_on_its_own_page(keller: KellerBriefs) -> None:
    pdf = keller.pdf()
    appointments, journeys, _members = programme_of(keller)
    days = sorted({a["start"].date() for a in appointments} | {j["depart"].date() for j in journeys})
    headings = [german_day(datetime.combine(d, datetime.min.time())) for d in days]
    assert headings[0] == "So., 13. Okt. 2024" and headings[-1] == "Sa., 19. Okt. 2024"

    start = programme_start(pdf)
    pages = [first_page_with(pdf, heading, start) for heading in headings]
    assert pages == sorted(pages), f"day headings out of order: {list(zip(headings, pages, strict=True))}"
    assert len(set(pages)) == len(pages), "every day starts on a new page"
    for heading, page in zip(headings, pages, strict=True):
        # The heading is the first thing under the running header of its page.
        body = [line for line in pdf.pages[page].splitlines() if line.strip()]
        assert any(line.strip().startswith(heading) for line in body[:4]), (heading, body[:4])


def test_each_appointment_shows_local_and_home_time_on_one_page(keller: KellerBriefs) -> None:
    pdf = keller.pdf()
    appointments, _journeys, _members = programme_of(keller)
    start = programme_start(pdf)
    for a in appointments:
        local = f"{hm(a['start'])}–{hm(a['end'])} {a['place']}"
        home = f"{hm(a['start'].astimezone(HOME))}–{hm(a['end'].astimezone(HOME))} Düsseldorf"
        # Title, both times and the venue on the same page: the entry is not split.
        pages = [
            i
            for i in range(start, len(pdf.pages))
            if has_in_order(pdf.pages[i], a["title"])
            and squash(local) in squash(pdf.pages[i])
            and squash(home) in squash(pdf.pages[i])
            and has_in_order(pdf.pages[i], a["venue"])
        ]
        assert pages, (a["title"], local, home)
    # The readable form of the DESIGN: place time first, home time beside it.
    assert "14:00–15:30 Seoul\n· 07:00–08:30 Düsseldorf" in pdf.text or "14:00–15:30 Seoul · 07:00–08:30 Düsseldorf" in pdf.text


def test_journeys_show_both_zones(keller: KellerBriefs) -> None:
    pdf = keller.pdf()
    html = squash(unescape(keller.html()))
    _appointments, journeys, _members = programme_of(keller)
    for j in journeys:
        assert squash(f"ab {hm(j['depart'])} {j['from']}") in pdf.squashed
        assert squash(f"an {arrival_clock(j)} {j['to']}") in html
        if j["arrive"].date() == j["depart"].date():
            assert squash(f"an {hm(j['arrive'])} {j['to']}") in pdf.squashed
        else:
            # The arrival's day wraps the time column, and pdftotext reads the column beside it in between.
            day, clock = arrival_clock(j).rsplit(" ", 1)
            assert squash(f"an {day}") in pdf.squashed
            assert squash(f"{clock} {j['to']}") in pdf.squashed
        if j["to"] != "Düsseldorf":
            assert squash(f"· {hm(j['arrive'].astimezone(HOME))} Düsseldorf") in pdf.squashed
    assert squash("an Mo., 14. Okt.,") in pdf.squashed  # the overnight flight to Seoul


def test_members_with_function_and_languages(keller: KellerBriefs) -> None:
    pdf = keller.pdf()
    _appointments, _journeys, members = programme_of(keller)
    for member in members:
        assert squash(member["name"]) in pdf.squashed, member["name"]
    assert squash("Dolmetschen Koreanisch/Chinesisch") in pdf.squashed
    assert "Koreanisch" in pdf.text and "Chinesisch" in pdf.text  # languages by name, not "ko, zh"


def test_cover_has_title_destinations_dates_leader_revision_and_handling_mark(keller: KellerBriefs) -> None:
    pdf = keller.pdf()
    cover = pdf.pages[0]
    with keller.app.app_context():
        revision = db.session.get(Delegation, keller.delegation_id).revision
    for expected in (
        "Delegationsreise nach Seoul und Chongqing",
        "Seoul 서울, Südkorea",
        "Chongqing 重庆, China",
        "So., 13. Okt. 2024 – So., 20. Okt. 2024",
        "Dr. Stephan Keller, Oberbürgermeister der Landeshauptstadt Düsseldorf",
        "NUR FÜR DEN DIENSTGEBRAUCH",
        "Düsseldorf",
        f"{revision}",
        "Kalender-Abo: beim Organisationsteam erhältlich",  # no subscription exists in the seed
    ):
        assert squash(expected) in squash(cover), expected
    assert "Seite" not in cover  # no running footer on the cover


def test_contents_list_page_numbers(keller: KellerBriefs) -> None:
    pdf = keller.pdf()
    contents = pdf.pages[first_page_with(pdf, "Inhalt")]
    lines = {normalise_dots(line) for line in contents.splitlines()}
    programme_page = programme_start(pdf) + 1
    assert f"Programm {programme_page}" in lines, lines
    delegation_page = first_page_with(pdf, "Ziel der Reise") + 1
    assert f"Die Delegation {delegation_page}" in lines


def normalise_dots(line: str) -> str:
    return " ".join(re.sub(r"[.·…]{2,}", " ", line).split())


def test_page_count_and_page_x_of_y_footers(keller: KellerBriefs) -> None:
    pdf = keller.pdf()
    total = pdf.page_count()
    assert total == len(pdf.pages) and total > 15
    for number in range(2, total + 1):
        page = pdf.pages[number - 1]
        assert f"Seite {number} von {total}" in page, number
        assert "Delegationsreise nach Seoul und Chongqing" in page  # running header
        assert "Revision" in page  # "as of" in the footer


def heading_page(pdf: RenderedPdf, heading: str, start: int = 0) -> int:
    """The first page on which ``heading`` stands on a line of its own."""
    for index in range(start, len(pdf.pages)):
        if any(line.strip() == heading for line in pdf.pages[index].splitlines()):
            return index
    raise AssertionError(f"no heading {heading!r} from page {start + 1} on")


def test_sections_in_the_order_of_the_issue(keller: KellerBriefs) -> None:
    pdf = keller.pdf()
    chapters = [
        "Die Delegation",
        "Auf einen Blick",
        "Programm",
        "Gesprächsunterlagen",
        "Städtepartnerschaft",
        "Kontakte und Notfälle",
        "Nachbereitung",
    ]
    after_contents = heading_page(pdf, "Inhalt") + 1
    pages = [heading_page(pdf, chapter, after_contents) for chapter in chapters]
    assert pages == sorted(pages) and len(set(pages)) == len(pages), list(zip(chapters, pages, strict=True))
    # Each chapter opens a new page: its heading comes right under the running header.
    for chapter, page in zip(chapters, pages, strict=True):
        body = [line.strip() for line in pdf.pages[page].splitlines() if line.strip()]
        assert chapter in body[:3], (chapter, body[:3])


def test_briefing_pages_partner_city_contacts_and_follow_ups(keller: KellerBriefs) -> None:
    pdf = keller.pdf()
    text = pdf.squashed
    for expected in (
        "Europäisches Forschungszentrum in Düsseldorf seit 2023",  # HD Hyundai's relation to the home city
        "Hu Henghua 胡衡华",  # a counterpart with his name in Chinese
        "Jong-Yoon Chun 천종윤",  # and one in Korean
        "22. Juli 2004",  # partnership since
        "Chengnan Middle School",  # previous exchanges
        "Generalkonsulat der Bundesrepublik Deutschland",
        "Hotel (Platzhalter, nicht öffentlich)",
        "Koreanische Medizin-Start-ups zur MEDICA 2024 einladen",
        BOOKING_REFERENCE,
    ):
        assert squash(expected) in text, expected
    assert "GESPRÄCHSPUNKTE" in pdf.text
    assert "PLATZHALTER" in pdf.text  # invented contact data is marked as such


def test_tentative_entries_are_marked_in_words(keller: KellerBriefs) -> None:
    pdf = keller.pdf()
    start = programme_start(pdf)
    for page in pdf.pages[start : first_page_with(pdf, "Gesprächsunterlagen", start)]:
        if "Unternehmensbesuch" in page:
            assert "Vorläufig" in page


def test_cjk_names_are_real_glyphs_from_an_embedded_cjk_font(keller: KellerBriefs) -> None:
    pdf = keller.pdf()
    fonts = pdf.fonts()
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows, fonts
    # The app's own Korean and Chinese faces (planner/briefs/fonts.py), whatever the machine has installed.
    assert any("Brief-Noto-Sans-KR" in row for row in rows), fonts
    assert any("Brief-Noto-Sans-SC" in row for row in rows), fonts
    # Every font is embedded (emb = yes) and has a Unicode map; no Type 3 bitmap stand-ins.
    for row in rows:
        assert re.search(r"\byes\s+yes\s+yes\b", row), row
        assert "Type 3" not in row, row
    # pdftotext reads the characters back: glyphs mapped to the right code points, not boxes.
    for name in ("서울", "重庆", "胡衡华", "천종윤", "두산로보틱스", "Düsseldorf", "Südkorea", "Bürgermeister"):
        assert name in pdf.text, name
    assert "\ufffd" not in pdf.text


def test_pages_as_images_for_review(keller: KellerBriefs) -> None:
    pdf = keller.pdf()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    programme_day = first_page_with(pdf, "Mo., 14. Okt. 2024", programme_start(pdf)) + 1
    briefing = first_page_with(pdf, "Gesprächspunkte") + 1
    for name, page in (("01-cover", 1), ("02-contents", 2), ("03-programme-day", programme_day), ("04-briefing", briefing)):
        target = ARTIFACTS / name
        subprocess.run(
            ["pdftoppm", "-png", "-r", "110", "-f", str(page), "-l", str(page), "-singlefile", str(pdf.path), str(target)],
            check=True,
        )
        image = target.with_suffix(".png")
        assert image.stat().st_size > 20_000, image
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (ARTIFACTS / "brief-full.pdf").write_bytes(pdf.path.read_bytes())


# -- the press programme -------------------------------------------------------------------


def _public_corpus(keller: KellerBriefs) -> str:
    """Every text the press programme may show, squashed: a 'secret' snippet must not occur in it by chance."""
    with keller.app.app_context():
        texts: list[str | None] = []
        for a in db.session.scalars(sa.select(Appointment)):
            texts += [a.title, a.background, a.venue, a.address, a.dress_code]
        for o in db.session.scalars(sa.select(Organization)):
            texts += [o.name, o.profile, o.home_relation, o.sector, o.address]
        for d in db.session.scalars(sa.select(Delegation)):
            texts += [d.title, d.purpose]
        for c in db.session.scalars(sa.text("SELECT profile FROM cities")):
            texts.append(c)
        for p in db.session.scalars(sa.text("SELECT notes FROM partnerships")):
            texts.append(p)
        for p in db.session.scalars(sa.select(Person)):
            texts += [p.name, p.function]
    return squash(" ".join(t for t in texts if t))


def _secret_snippets(text: str | None, public: str, size: int = 30) -> list[str]:
    """Distinctive 30-character pieces of ``text`` (per line) that no public field contains."""
    snippets = []
    for line in (text or "").splitlines():
        line = squash(line.lstrip(" -"))
        for start in range(0, max(0, len(line) - size) + 1, 7):
            piece = line[start : start + size]
            if len(piece) == size and piece not in public:
                snippets.append(piece)
                break
    return snippets


def test_press_programme_has_no_contact_data_talking_points_or_internal_notes(keller: KellerBriefs) -> None:
    press = keller.pdf("?audience=press")
    full = keller.pdf()
    public = _public_corpus(keller)
    with keller.app.app_context():
        phones = {
            p
            for (p,) in db.session.execute(
                sa.text("SELECT phone FROM people UNION SELECT phone FROM organizations UNION SELECT hotel_phone FROM legs")
            )
            if p
        }
        emails = {
            e for (e,) in db.session.execute(sa.text("SELECT email FROM people UNION SELECT email FROM organizations")) if e
        }
        secrets: dict[str, list[str]] = {"talking points": [], "objectives": [], "notes": []}
        for a in db.session.scalars(sa.select(Appointment)):
            secrets["talking points"] += _secret_snippets(a.talking_points, public)
            secrets["objectives"] += _secret_snippets(a.objectives, public)
            secrets["notes"] += _secret_snippets(a.notes, public)
        for item in [
            *db.session.scalars(sa.select(Journey)),
            *db.session.scalars(sa.select(Leg)),
            *db.session.scalars(sa.select(Delegation)),
        ]:
            secrets["notes"] += _secret_snippets(item.notes, public)
    assert len(phones) > 20 and len(emails) > 20
    assert len(secrets["talking points"]) > 20, secrets

    # Checked in the PDF's text and in the HTML it was printed from (where no column layout
    # can interleave lines and so hide a string from a substring search).
    press_html = squash(unescape(keller.html("?audience=press")))
    for where, haystack in (("PDF", press.squashed), ("HTML", press_html)):
        leaked_phones = sorted(p for p in phones if squash(p) in haystack)
        leaked_emails = sorted(e for e in emails if e in haystack)
        assert leaked_phones == [] and leaked_emails == [], where
        assert BOOKING_REFERENCE not in haystack, where
        for what, snippets in secrets.items():
            leaked = [s for s in snippets if s in haystack]
            assert leaked == [], f"{what} in the press programme ({where}): {leaked}"
    assert "@" not in press.text
    assert "Internes Briefing der Delegation" not in press.text
    for heading in (
        "Gesprächspunkte",
        "Ziele",
        "Hinweis",
        "Kontakte und Notfälle",
        "Nachbereitung",
        "Hotels",
        "Ansprechpartner vor Ort",
    ):
        assert squash(heading).casefold() not in press.squashed.casefold(), heading

    # The same checks find them in the full brief: they are real checks, not vacuous ones.
    assert squash("+44 20 7946 0200") in full.squashed and "aimmo-besuch@example.org" in full.squashed
    found = [s for s in secrets["talking points"] if s in full.squashed]
    assert len(found) >= 0.9 * len(secrets["talking points"]), set(secrets["talking points"]) - set(found)
    assert BOOKING_REFERENCE in full.squashed

    # What the public may read is there.
    assert "ZUR WEITERGABE AN PRESSE UND ÖFFENTLICHKEIT" in press.pages[0]
    assert squash("Unternehmensbesuch AIMMO") in press.squashed
    assert "Seite 2 von" in press.text


# -- a member's personal brief ----------------------------------------------------------------


def test_member_brief_has_only_that_members_entries(keller: KellerBriefs) -> None:
    appointments, journeys, members = programme_of(keller)
    diener = next(m for m in members if m["name"] == "Wolfram Diener")
    pdf = keller.pdf(f"?audience=member&member={diener['person_id']}")
    attends = [a for a in appointments if diener["person_id"] in a["attendees"]]
    skips = [a for a in appointments if diener["person_id"] not in a["attendees"]]
    assert attends and skips  # the seed makes this a real test
    for a in attends:
        assert squash(a["title"]) in pdf.squashed, a["title"]
    html = squash(unescape(keller.html(f"?audience=member&member={diener['person_id']}")))
    for a in skips:
        assert squash(a["title"]) not in pdf.squashed, a["title"]
        assert squash(a["title"]) not in html, a["title"]
    assert squash("Persönliches Programm für Wolfram Diener").casefold() in squash(pdf.pages[0]).casefold()
    assert "PERSÖNLICHES EXEMPLAR" in pdf.pages[0]
    assert all(diener["person_id"] in j["travellers"] for j in journeys)  # he takes every flight
    assert squash("an Mo., 14. Okt.,") in pdf.squashed  # the overnight flight, with its day


# -- page numbers in the contents and the cross-references --------------------------------
#
# Every number is checked against the page where its target stands, as pdftotext reads
# it, and against that page's own footer ("Seite N von M"): the numbers are written into
# the PDF after layout (planner/briefs/pdf.py, fill_page_slots), so this is what proves
# them right.

CONTENTS_LINE = re.compile(r"^(?P<label>.+?)\s*\.{3,}\s*(?P<page>\d+)$")


def contents_entries(pdf: RenderedPdf) -> tuple[int, list[tuple[str, int]]]:
    """The contents' lines as (label, page number), in order, and the index of the last contents page."""
    first = last = first_page_with(pdf, "Inhalt")
    entries: list[tuple[str, int]] = []
    for index in range(first, len(pdf.pages)):
        found = [CONTENTS_LINE.match(line.strip()) for line in pdf.pages[index].splitlines()]
        matches = [(normalise(m["label"]), int(m["page"])) for m in found if m]
        if not matches:
            break
        entries.extend(matches)
        last = index
    return last, entries


def lines_of(page: str) -> list[str]:
    return [normalise(line) for line in page.splitlines() if line.strip()]


def test_contents_page_numbers_are_the_pages_of_their_headings(keller: KellerBriefs) -> None:
    pdf = keller.pdf()
    last_contents, entries = contents_entries(pdf)
    labels = [label for label, _page in entries]
    chapters = ["Die Delegation", "Auf einen Blick", "Programm", "Gesprächsunterlagen", "Städtepartnerschaft"]
    chapters += ["Kontakte und Notfälle", "Nachbereitung"]
    assert [label for label in labels if label in chapters] == chapters, labels
    days = {a["start"].date() for a in programme_of(keller)[0]}
    assert len(entries) >= len(chapters) + len(days) + 1, labels  # every chapter, every day, the partner city

    # The contents follow the document's order: each heading is searched from the previous one's page on.
    # A heading is a line of its own: the label, or (a partner city) "Chongqing 重庆, China".
    index = last_contents + 1
    for label, number in entries:
        heading = re.compile(re.escape(label) + r"(( \S+)?, .+)?")
        while not any(heading.fullmatch(line) for line in lines_of(pdf.pages[index])):
            index += 1
            assert index < len(pdf.pages), f"{label!r} ({number}) is on no page after the contents"
        assert number == index + 1, (label, number, index + 1)
        assert f"Seite {number} von {len(pdf.pages)}" in pdf.pages[index], (label, number)


def test_cross_references_name_the_pages_of_briefing_and_programme_entry(keller: KellerBriefs) -> None:
    pdf = keller.pdf()
    titles = [a["title"] for a in programme_of(keller)[0]]
    forward: dict[int, set[int]] = {}  # programme page -> briefing pages it points to
    backward: dict[int, int] = {}  # briefing page -> the programme page it points to
    for number, page in enumerate(pdf.pages, start=1):
        for target in re.findall(r"Gesprächsunterlage, (\d+)", page):
            forward.setdefault(number, set()).add(int(target))
        back = re.findall(r"im Programm, (\d+)", page)
        if back:
            assert len(back) == 1, (number, back)  # one briefing per page
            backward[number] = int(back[0])
    assert len(backward) >= 5 and forward, (forward, backward)
    pointed_at = {target for targets in forward.values() for target in targets}
    assert pointed_at == set(backward), (pointed_at, set(backward))  # every reference lands on a briefing
    for briefing_page, programme_page in backward.items():
        # ... and the briefing's "in the programme" page is the one that points to it,
        assert briefing_page in forward.get(programme_page, set()), (briefing_page, programme_page)
        # with the appointment's title on both pages (in the programme beside the time column, which
        # pdftotext may interleave with a wrapped title).
        on_briefing = {t for t in titles if squash(t) in squash(pdf.pages[briefing_page - 1])}
        assert any(has_in_order(pdf.pages[programme_page - 1], t) for t in on_briefing), (briefing_page, on_briefing)
        assert f"Seite {briefing_page} von" in pdf.pages[briefing_page - 1]
