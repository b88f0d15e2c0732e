"""The front-end libraries come from the app's own /static/vendor, installed from npm at pinned versions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from planner.extensions import db
from planner.models import Audience, FeedToken, Member, MemberRole, Person
from planner.web.assets import VENDOR_FILES, missing_vendor_files
from tests.conftest import login, make_delegation, make_user

VENDOR = Path(__file__).resolve().parent.parent / "planner" / "static" / "vendor"


def test_every_library_is_pinned_to_an_exact_version():
    manifest = json.loads((VENDOR / "package.json").read_text())
    lock = json.loads((VENDOR / "package-lock.json").read_text())
    for name, version in manifest["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} {version} is a range"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


def test_make_install_put_every_file_in_place():
    assert missing_vendor_files(VENDOR.parent) == []


# Libraries that only one page needs, loaded there alone; every other library is on every page.
ONLY_ON = {"interact.js": "/delegations/{trip}/timeline"}
# Loaded by the personal page's service worker (importScripts), in this order, by no page.
WORKER_ONLY = ["workbox-core.js", "workbox-routing.js", "workbox-strategies.js"]


@pytest.mark.parametrize("name", sorted(set(VENDOR_FILES) - set(WORKER_ONLY)))
def test_pages_load_each_library_from_the_app_itself(app, client, name):
    with app.app_context():
        email = make_user().email
        trip = make_delegation().id
        db.session.commit()
    login(client, email)
    page = client.get(ONLY_ON.get(name, "/").format(trip=trip)).get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    library = [url for url in urls if url.endswith(VENDOR_FILES[name])]
    assert library and all(url.startswith("/static/vendor/") for url in library)
    response = client.get(library[0])
    assert response.status_code == 200
    assert len(response.get_data()) > 1000
    assert not [url for url in urls if re.match(r"(https?:)?//", url)], "no page loads anything from another host"


def test_the_personal_service_worker_imports_workbox_from_the_app_itself(app, client):
    with app.app_context():
        delegation = make_delegation()
        member = Member(delegation=delegation, person=Person(given_name="Mia", family_name="Mitglied"), role=MemberRole.MEMBER)
        db.session.add(member)
        db.session.flush()
        feed = FeedToken.issue(delegation, member, locale="de", audience=Audience.MEMBER)
        db.session.add(feed)
        db.session.commit()
        token = feed.token
    worker = client.get(f"/p/{token}/sw.js")
    assert worker.status_code == 200
    # Its scope can be no wider than the link it is served under.
    assert "Service-Worker-Allowed" not in worker.headers
    body = worker.get_data(as_text=True)
    (imports,) = re.findall(r"importScripts\(\.\.\.(\[[^\]]*\])\)", body)
    urls = json.loads(imports)
    assert urls == [f"/static/vendor/node_modules/{VENDOR_FILES[name]}" for name in WORKER_ONLY]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and len(response.get_data()) > 1000
    # Workbox's own loader (workbox-sw) would fetch the modules from a CDN: not used.
    code = body.split("*/", 1)[1]  # past the header comment, which names it
    assert "workbox-sw" not in code and "http://" not in body and "https://" not in body
