"""The front-end libraries come from the app's own /static/vendor, installed from npm at pinned versions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from planner.extensions import db
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


@pytest.mark.parametrize("name", sorted(VENDOR_FILES))
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
