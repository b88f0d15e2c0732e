"""A participant's own programme at their personal link: the page, its web-app manifest and service worker, vCards.

Everything lives under ``/p/<token>/`` so the service worker's scope is
that one link: it keeps nothing of any other page, and a phone holding two
links keeps two programmes apart. No account: the token is the key (see
:mod:`planner.personal.queries`); unknown, revoked and team links all answer
the same plain 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from planner.auth.access import public
from planner.personal import queries, vcard
from planner.personal.queries import PersonalLink
from planner.timezones import utc_now
from planner.web.assets import vendor_url

bp = Blueprint("personal", __name__)

# What the service worker keeps besides the page itself, and the Workbox builds it imports (in this order).
OFFLINE_ASSETS = ("personal.css", "personal.js", "icon.svg")
WORKBOX = ("workbox-core.js", "workbox-routing.js", "workbox-strategies.js")


def _not_found() -> Response:
    # Plain and identical for unknown, revoked and deleted: nothing to learn from it (as the feed answers).
    return Response("Not Found\n", status=404, content_type="text/plain; charset=utf-8")


def _private(response: Response) -> Response:
    # The URL is a secret: no shared cache may keep what it answers, and no search engine list it.
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"  # a map link must not carry the token away
    return response


def _render(link: PersonalLink, template: str, mimetype: str, **context: object) -> Response:
    with force_locale(link.state.locale):
        body = render_template(template, **context)
    return _private(Response(body, mimetype=mimetype))


@bp.get("/p/<token>/")
@public
def page(token: str) -> BaseResponse:
    """The programme itself: plain HTML that works without JavaScript; the service worker adds offline."""
    link = queries.personal_link(token)
    if link is None:
        return _not_found()
    with force_locale(link.state.locale):
        programme = queries.personal_programme(link, now=utc_now(), locale=link.state.locale)
        body = render_template(
            "personal/page.html",
            p=programme,
            token=token,
            home_zone=programme.delegation.home_timezone,
            home_place=programme.delegation.home_city.name,
            map_links=queries.map_links,
            tel_link=queries.tel_link,
        )
    return _private(Response(body, mimetype="text/html"))


@bp.get("/p/<token>/manifest.webmanifest")
@public
def manifest(token: str) -> BaseResponse:
    link = queries.personal_link(token)
    if link is None:
        return _not_found()
    with force_locale(link.state.locale):
        data = {
            "name": _("Mein Programm: %(title)s", title=link.delegation.title),
            "short_name": _("Mein Programm"),
            "lang": link.state.locale,
            "start_url": url_for("personal.page", token=token),
            "scope": url_for("personal.page", token=token),
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1d2330",
            "icons": [
                {"src": url_for("static", filename="personal/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
                {
                    "src": url_for("static", filename="personal/icon.svg"),
                    "sizes": "any",
                    "type": "image/svg+xml",
                    "purpose": "maskable",
                },
            ],
        }
    response = current_app.response_class(current_app.json.dumps(data), mimetype="application/manifest+json")
    return _private(response)


@bp.get("/p/<token>/sw.js")
@public
def service_worker(token: str) -> BaseResponse:
    """The service worker, served inside the link so that its scope is the link (and nothing else)."""
    link = queries.personal_link(token)
    if link is None:
        return _not_found()
    response = _render(
        link,
        "personal/sw.js",
        "text/javascript",
        assets=[url_for("static", filename=f"personal/{name}") for name in OFFLINE_ASSETS],
        workbox=[vendor_url(name) for name in WORKBOX],
    )
    # The browser checks for a new worker on every visit anyway; say so for older ones.
    response.cache_control.max_age = 0
    return response


@bp.get("/p/<token>/contacts.vcf")
@public
def all_contacts(token: str) -> BaseResponse:
    link = queries.personal_link(token)
    if link is None:
        return _not_found()
    programme = queries.personal_programme(link, now=utc_now(), locale=link.state.locale)
    return _vcard(vcard.cards(programme.contacts), "kontakte.vcf")


@bp.get("/p/<token>/contacts/<int:person_id>.vcf")
@public
def contact(token: str, person_id: int) -> BaseResponse:
    """One on-site contact as a vCard: only a contact of the member's own programme, else 404."""
    link = queries.personal_link(token)
    if link is None:
        return _not_found()
    programme = queries.personal_programme(link, now=utc_now(), locale=link.state.locale)
    person = queries.contact_of(programme, person_id)
    if person is None:
        return _not_found()
    return _vcard(vcard.person_card(person), f"kontakt-{person.id}.vcf")


def _vcard(text: str, filename: str) -> Response:
    response = Response(text.encode("utf-8"), content_type="text/vcard; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)
