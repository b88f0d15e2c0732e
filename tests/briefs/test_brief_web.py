"""The brief's routes and options through the test client: access, validation, languages, query count."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from benchmarks.trips import generate_trip
from planner.briefs import queries, render
from planner.briefs.options import Audience, BriefOptions
from planner.extensions import db
from planner.models import Appointment, Delegation, FeedToken, Member, Person, UserRole
from tests.briefs.conftest import KellerBriefs
from tests.conftest import VIEWER_EMAIL, signed_in_as
from tests.jobs import follow_pdf, running_worker
from tests.test_web import unlabelled_fields


@pytest.fixture
def viewer(client: FlaskClient) -> FlaskClient:
    return signed_in_as(client, UserRole.VIEWER, VIEWER_EMAIL)


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_anonymous_users_are_sent_to_sign_in(client: FlaskClient, keller_trip: int) -> None:
    for path in (
        f"/delegations/{keller_trip}/brief",
        f"/delegations/{keller_trip}/brief.pdf",
        f"/delegations/{keller_trip}/brief/options",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], path


def test_a_viewer_gets_the_print_view_with_print_stylesheet_and_no_caching(viewer: FlaskClient, keller_trip: int) -> None:
    response = viewer.get(f"/delegations/{keller_trip}/brief")
    assert response.status_code == 200
    html = text(response)
    assert '<html lang="de">' in html
    assert "/static/css/brief.css" in html
    assert "@top-left" in html and "counter(pages)" in html
    assert "Seite" in html
    assert "no-store" in response.headers["Cache-Control"]
    assert "Mo., 14. Okt. 2024" in html


def test_pdf_route_answers_a_pdf(keller: KellerBriefs) -> None:
    response, _seen = follow_pdf(
        keller.client, f"/delegations/{keller.delegation_id}/brief.pdf?audience=press&sections=programme"
    )  # type: ignore[arg-type]
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"] == f'inline; filename="reisebriefing-{keller.delegation_id}-press-de.pdf"'
    assert "no-store" in response.headers["Cache-Control"]


def test_english_brief_uses_english_dates_and_language(keller: KellerBriefs) -> None:
    html = unescape(keller.html("?lang=en"))
    assert '<html lang="en">' in html
    assert "Sun, 13 Oct 2024" in html and "Mon, 14 Oct 2024" in html
    assert "Mo., 14. Okt. 2024" not in html
    assert "South Korea" in html  # country names come from the locale data
    assert "Korean" in html  # and so do language names


@pytest.mark.parametrize(
    ("query", "field_message"),
    [
        ("?audience=everyone", "Unbekannte Zielgruppe"),
        ("?audience=member", "wählen Sie bitte ein Mitglied"),
        ("?member=abc", "als Nummer"),
        ("?audience=press&member=1", "nur in der Fassung „Persönliches Programm eines Mitglieds“"),
        ("?lang=fr", "Unbekannte Sprache"),
        ("?sections=programme&sections=gossip", "Unbekannter Abschnitt"),
    ],
)
def test_invalid_options_get_400_with_the_form_and_the_reason(
    viewer: FlaskClient, keller_trip: int, query: str, field_message: str
) -> None:
    for suffix in ("brief", "brief.pdf"):
        response = viewer.get(f"/delegations/{keller_trip}/{suffix}{query}")
        assert response.status_code == 400, (suffix, query)
        page = text(response)
        assert "Mit diesen Angaben lässt sich kein Reisebriefing erstellen." in page
        assert field_message in page
        assert 'action="/delegations/' in page  # the form is there to correct the choice
        assert "Traceback" not in page


def test_a_person_outside_the_delegation_gets_404_with_a_clear_message(app: Flask, viewer: FlaskClient, keller_trip: int) -> None:
    with app.app_context():
        outsider = db.session.scalars(sa.select(Person.id).filter_by(name="Hu Henghua")).one()
    response = viewer.get(f"/delegations/{keller_trip}/brief?audience=member&member={outsider}")
    assert response.status_code == 404
    assert f"Die Person {outsider} gehört nicht zu dieser Delegation." in text(response)
    assert viewer.get("/delegations/9999/brief").status_code == 404


def test_member_alone_means_the_personal_brief(app: Flask, viewer: FlaskClient, keller_trip: int) -> None:
    with app.app_context():
        diener = db.session.scalars(sa.select(Person.id).filter_by(name="Wolfram Diener")).one()
    html = text(viewer.get(f"/delegations/{keller_trip}/brief?member={diener}"))
    assert "Persönliches Programm für" in html and "Wolfram Diener" in html
    assert "Treffen von Oberbürgermeister Dr. Keller mit Bürgermeister Hu Henghua" not in html


def test_sections_can_be_left_out_but_the_cover_stays(viewer: FlaskClient, keller_trip: int) -> None:
    html = text(viewer.get(f"/delegations/{keller_trip}/brief?sections=programme"))
    assert 'id="cover"' in html and 'id="section-programme"' in html
    for absent in ("contents", "delegation", "glance", "briefings", "partner", "contacts", "followups"):
        assert f'id="section-{absent}"' not in html, absent


def test_options_page_and_form_partial_label_every_field(app: Flask, viewer: FlaskClient, keller_trip: int) -> None:
    page = viewer.get(f"/delegations/{keller_trip}/brief/options")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert unlabelled_fields(html) == []
    assert 'method="get"' in html and f'formaction="/delegations/{keller_trip}/brief.pdf"' in html
    assert html.count('type="checkbox"') == 8 and html.count("checked") >= 8 + 2
    assert "Wolfram Diener" in html
    # The partial as the delegation page includes it.
    with app.test_request_context():
        delegation = queries.brief_source(keller_trip).delegation  # type: ignore[union-attr]
        snippet = render_template_string('{% include "briefs/_options.html" %}', delegation=delegation)
    assert unlabelled_fields(snippet) == [] and "Reisebriefing drucken" in snippet


def test_qr_code_of_an_existing_subscription_without_creating_one(app: Flask, viewer: FlaskClient, keller_trip: int) -> None:
    """Only a member's own brief carries a subscription, and only that member's own link (issue 11, no. 20)."""
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count(FeedToken.id)))
        delegation = db.session.get(Delegation, keller_trip)
        first, second = delegation.members[0], delegation.members[1]
        first_person, second_person = first.person_id, second.person_id
    member_brief = f"/delegations/{keller_trip}/brief?audience=member&member={first_person}"
    html = text(viewer.get(member_brief))
    assert "Kalender-Abo: beim Organisationsteam erhältlich" in html and 'class="qr"' not in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(FeedToken.id))) == count  # rendering issued nothing
        delegation = db.session.get(Delegation, keller_trip)
        whole = FeedToken.issue(delegation, locale="de")
        others = FeedToken.issue(delegation, delegation.members[1], locale="de")
        db.session.add_all([whole, others])
        db.session.commit()
        whole_token, others_token = whole.token, others.token
    # Neither the whole trip's link nor another member's reaches this member's brief, nor the full or press brief.
    for url in (member_brief, f"/delegations/{keller_trip}/brief", f"/delegations/{keller_trip}/brief?audience=press"):
        html = text(viewer.get(url))
        assert 'class="qr"' not in html and "Kalender-Abo: beim Organisationsteam erhältlich" in html, url
        assert whole_token not in html and others_token not in html
    with app.app_context():
        delegation = db.session.get(Delegation, keller_trip)
        own = FeedToken.issue(delegation, delegation.members[0], locale="de")
        db.session.add(own)
        db.session.commit()
        own_token = own.token
    html = text(viewer.get(member_brief))
    assert 'class="qr"' in html and "persönlichen Kalender abonnieren" in html
    assert f"/feeds/{own_token}.ics" not in html  # the secret is in the QR code only, not printed as text
    # The code is the member's own link, and the other member's brief shows theirs, not this one.
    assert _qr_path(f"webcal://localhost/feeds/{own_token}.ics") in html
    other_brief = text(viewer.get(f"/delegations/{keller_trip}/brief?audience=member&member={second_person}"))
    assert _qr_path(f"webcal://localhost/feeds/{others_token}.ics") in other_brief
    assert _qr_path(f"webcal://localhost/feeds/{own_token}.ics") not in other_brief
    assert 'class="qr"' not in text(viewer.get(f"/delegations/{keller_trip}/brief"))


def _qr_path(data: str) -> str:
    """The drawing of the QR code of ``data`` as the brief embeds it (segno is deterministic)."""
    import segno

    svg = segno.make(data, error="m").svg_inline(scale=3)
    return re.search(r' d="([^"]+)"', svg).group(1)  # type: ignore[union-attr]


def test_data_cannot_make_the_renderer_fetch_anything(
    app: Flask, viewer: FlaskClient, keller_trip: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Markup in data is text: an <img> in a title is printed, not loaded."""
    from planner.briefs import pdf as pdf_module
    from planner.models import Appointment

    with app.app_context():
        appointment = db.session.scalars(sa.select(Appointment).where(Appointment.delegation_id == keller_trip)).first()
        appointment.title = '<img src="http://example.org/x.png"> <link rel="stylesheet" href="file:///etc/passwd">'
        appointment.venue = "file:///etc/passwd"
        db.session.commit()
    fetchers: list[pdf_module.StaticOnlyFetcher] = []
    original = pdf_module.StaticOnlyFetcher.__init__

    def remember(self, *args, **kwargs):
        original(self, *args, **kwargs)
        fetchers.append(self)

    monkeypatch.setattr(pdf_module.StaticOnlyFetcher, "__init__", remember)
    with running_worker(app):
        response, _seen = follow_pdf(viewer, f"/delegations/{keller_trip}/brief.pdf?sections=programme")
    assert response.status_code == 200
    (fetcher,) = fetchers
    assert fetcher.refused == []  # nothing in the data was even tried
    assert any(url.endswith("/static/css/brief.css") for url in fetcher.served)
    html = text(viewer.get(f"/delegations/{keller_trip}/brief?sections=programme"))
    assert '<img src="http://example.org/x.png">' in html  # as text, once unescaped
    assert '<img src="http://example.org' not in viewer.get(f"/delegations/{keller_trip}/brief").get_data(as_text=True)


def _statements(app: Flask, delegation_id: int, options: BriefOptions) -> int:
    """SQL statements needed to load and render the brief of ``delegation_id``."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.test_request_context():
        db.session.expunge_all()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            source = queries.brief_source(delegation_id)
            render.brief_html(source, options)  # type: ignore[arg-type]
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_brief_costs_a_fixed_number_of_queries(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        big_id, _token = generate_trip(60)
        member = db.session.scalars(sa.select(Member).where(Member.delegation_id == big_id)).first()
        person_id = member.person_id
    full = BriefOptions()
    keller = _statements(app, keller_trip, full)
    assert keller == _statements(app, big_id, full)
    assert keller <= 25, keller
    # A member's brief leaves the meals' dietary counts out (planner.care.meals): one query fewer at most.
    assert _statements(app, big_id, BriefOptions(audience=Audience.MEMBER, person_id=person_id)) <= keller


def test_big_trip_renders_every_appointment(app: Flask, viewer: FlaskClient) -> None:
    with app.app_context():
        big_id, _token = generate_trip(40)
        # Briefing notes for every appointment with something to brief on (render.AppointmentView.has_briefing).
        briefed = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Appointment)
            .where(
                Appointment.delegation_id == big_id,
                sa.or_(
                    Appointment.organization_id.is_not(None),
                    Appointment.objectives.is_not(None),
                    Appointment.talking_points.is_not(None),
                    Appointment.background.is_not(None),
                ),
            )
        )
    assert 0 < briefed < 40  # the generated trip has internal meetings with nothing to brief on
    html = text(viewer.get(f"/delegations/{big_id}/brief"))
    assert len(re.findall(r'<article class="entry entry--(?!journey)', html)) == 40
    assert len(re.findall(r'<article class="briefing ', html)) == briefed
    assert "Abgesagt" in html and "Bestätigt" in html
