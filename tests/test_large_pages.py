"""Pages rendered a batch at a time (planner.web.pages.render_large) are the bytes render_template gives."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, render_template
from flask_login import login_user

from planner.delegations.queries import delegation_with_programme
from planner.delegations.routes import _trip_page
from planner.web import pages
from tests.conftest import make_user


def test_the_trip_page_in_batches_is_the_rendered_page(app: Flask, keller: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches far smaller than the page, so the join of many batches (and the last, partial one) is what is compared.
    monkeypatch.setattr(pages, "_BATCH", 7)
    with app.test_request_context(f"/delegations/{keller}"):
        user = make_user()
        login_user(user)
        delegation = delegation_with_programme(keller)
        assert delegation is not None
        large = _trip_page(delegation)
        assert large.status_code == 200 and large.mimetype == "text/html"
        body = large.get_data()
        # The same context as the view's, through render_template.
        captured: list[dict[str, Any]] = []
        monkeypatch.setattr(pages, "stream_template", lambda name, **context: captured.append(context) or iter(()))
        _trip_page(delegation)
        (context,) = captured
        whole = render_template("delegations/show.html", **context).encode("utf-8")
    assert body == whole
    assert "Chongqing" in body.decode() and body.rstrip().endswith(b"</html>")
