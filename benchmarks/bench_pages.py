"""Pages and calendar feeds against floors measured in the same run (issue #7, figures 1-3).

    .venv/bin/python benchmarks/bench_pages.py [--runs N] [--sizes 300,3000]

Creates a throwaway SQLite database, seeds the Keller trip, generates trips
of the given sizes (``benchmarks/trips.py``: 50 members, 10 legs) and
measures for each trip:

1. SQL queries per page (a ``before_cursor_execute`` listener on the engine,
   requests through the test client signed in as a planner): the delegation
   page (the programme is the main part of that page; there is no separate
   programme route), the timeline, the brief's HTML view and the
   subscription feed (anonymous, as a calendar app polls it), plus a feed
   poll answered 304. Target: at most 10, and the same for every trip.
2. The delegation (programme) page through the test client, against the
   floor of ``render_template`` on the same template with the same context
   already built in memory (the view's own query and view-model calls made
   beforehand, in a request context signed in as the same user; the script
   checks that the floor renders the very page the view sent). Target for
   the 300-appointment trip: at most 1.5 x the floor; and the
   3,000-appointment page under 10 x the 300-appointment one.
3. Building the whole-trip feed from the database to bytes (the query and
   :func:`planner.calendar.export.export_calendar`) against the floor of
   ``icalendar.Calendar.to_ical()`` on the Calendar those same events make,
   already built. Target: at most 1.5 x. And polls of the feed with the
   current ETag (304) against a constant-body view registered on the same
   app, in requests per second: the floor view passes through the very same
   before/after-request hooks (sign-in check, rate limits, security headers,
   request log, session), so the ratio shows only what the feed's own
   revalidation costs. Informative: the constant view touches no database,
   so the target (issue #17) is set under gunicorn against ``/healthz``,
   which makes the same one round trip (bench_server.py).
4. The feed through its public route right after one appointment changed
   (3,000 appointments), against one full build of the same feed (figure 3's
   value). Target: at most 0.2 x.

Each time is the median of ``--runs`` runs after a warm-up; value and floor
runs alternate so that other work on the machine slows both alike. Nothing
here asserts; ``run()`` returns the rows for the aggregator, ``main()``
prints them.
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sqlalchemy as sa  # noqa: E402
from flask import Flask, Response, render_template, template_rendered  # noqa: E402
from flask_login import login_user  # noqa: E402
from harness import counted, describe_machine, machine, print_table, query_cap, row, sizes_argument  # noqa: E402
from trips import generate_trip  # noqa: E402

from planner import create_app  # noqa: E402
from planner.auth.access import public  # noqa: E402
from planner.calendar import export as calendar_export  # noqa: E402
from planner.calendar import ical  # noqa: E402
from planner.delegations import queries as delegation_queries  # noqa: E402
from planner.extensions import db  # noqa: E402
from planner.models import Appointment, Delegation, FeedToken, TeamMember, User, UserRole  # noqa: E402
from planner.program.conflicts import (  # noqa: E402
    check_legs,
    check_programme,
    split_hints,
    warnings_by_appointment,
    warnings_by_leg,
)
from planner.releases import queries as release_queries  # noqa: E402
from planner.seed import load_seed  # noqa: E402
from planner.teams.access import may_approve  # noqa: E402
from planner.timezones import today_in  # noqa: E402
from planner.transport.queries import travel_rules  # noqa: E402

PASSWORD = "benchmark password, not used elsewhere"
PLANNER_EMAIL = "bench-planner@example.org"
CONSTANT_PATH = "/__bench/constant"
CONSTANT_BODY = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
POLLS_PER_RUN = 300
POLL_SECONDS = 2.0
FEED_CHANGE_TRIP = "3000 appointments"  # issue #17: one changed event of 3,000
FEED_CHANGE_RUNS = 5

PAGES = {
    "delegation page (programme)": "/delegations/{id}",
    "timeline": "/delegations/{id}/timeline",
    "brief (HTML)": "/delegations/{id}/brief",
}


# -- set-up ----------------------------------------------------------------------------


def make_app(workdir: Path) -> Flask:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "benchmark-only",
            "TESTING": True,
        }
    )

    # The floor of a feed poll: the same app, so the same before/after-request hooks, minus the feed's own work.
    @public
    def constant() -> Response:
        return Response(CONSTANT_BODY, content_type="text/calendar; charset=utf-8")

    app.add_url_rule(CONSTANT_PATH, "bench_constant", constant)
    return app


def seed(app: Flask, sizes: tuple[int, ...]) -> dict[str, tuple[int, str]]:
    """Keller and the generated trips: name -> (delegation id, whole-trip feed token)."""
    with app.app_context():
        db.create_all()
        load_seed(db.session)
        db.session.commit()
        keller = db.session.scalars(sa.select(Delegation).order_by(Delegation.id)).first()
        feed = FeedToken.issue(keller)
        db.session.add(feed)
        user = User(email=PLANNER_EMAIL, role=UserRole.PLANNER)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        trips = {"Keller": (keller.id, feed.token)}
        for size in sizes:
            trips[f"{size} appointments"] = generate_trip(size)
        # The planner is on every trip's team (planner.teams.access): a page outside it is a 404.
        db.session.add_all(TeamMember(delegation_id=trip_id, user_id=user.id, may_edit=True) for trip_id, _ in trips.values())
        db.session.commit()
    return trips


def sign_in(app: Flask):
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', page)
    if found is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    answer = client.post(
        "/auth/login", data={"csrf_token": found.group(1) or found.group(2), "email": PLANNER_EMAIL, "password": PASSWORD}
    )
    if answer.status_code != 302:
        raise RuntimeError("could not sign in for the benchmark")
    return client


# -- measuring -------------------------------------------------------------------------


def timed(action: Callable[[], Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def alternate(value: Callable[[], Any], floor: Callable[[], Any], runs: int) -> tuple[list[float], list[float]]:
    """Warm both up, then time value and floor runs in turn (noise on the machine hits both alike)."""
    value()
    floor()
    values, floors = [], []
    for _ in range(runs):
        values.append(timed(value))
        floors.append(timed(floor))
    return values, floors


def _normalise(html: str) -> str:
    """Per-request values (CSRF tokens, CSP nonces) blanked, so two renderings of one page compare equal."""
    html = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', html)
    html = re.sub(r'value="[^"]*" name="csrf_token"', 'value="" name="csrf_token"', html)
    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)


def query_counts(app: Flask, client, anonymous, trips: dict[str, tuple[int, str]]) -> list[dict[str, Any]]:
    counts: dict[str, dict[str, int]] = {}
    for trip, (delegation_id, token) in trips.items():
        for page, pattern in PAGES.items():
            url = pattern.format(id=delegation_id)
            client.get(url)  # warm-up: first-request set-up is not the page's cost
            with counted(app) as statements:
                answer = client.get(url)
            assert answer.status_code == 200, (url, answer.status_code)
            counts.setdefault(page, {})[trip] = len(statements)
        feed = f"/feeds/{token}.ics"
        first = anonymous.get(feed)
        with counted(app) as statements:
            answer = anonymous.get(feed)
        assert answer.status_code == 200, (feed, answer.status_code)
        counts.setdefault("feed", {})[trip] = len(statements)
        with counted(app) as statements:
            answer = anonymous.get(feed, headers={"If-None-Match": first.headers["ETag"]})
        assert answer.status_code == 304, (feed, answer.status_code)
        counts.setdefault("feed, 304 poll", {})[trip] = len(statements)
    rows = []
    for page, by_trip in counts.items():
        same = len(set(by_trip.values())) == 1
        cap = query_cap(PAGES.get(page, ""))
        for trip, n in by_trip.items():
            rows.append(
                row(f"SQL queries: {page}", trip, n, "queries", target=f"≤ {cap}, same for every trip", passed=n <= cap and same)
            )
    return rows


def programme_page(app: Flask, client, trip: str, delegation_id: int, runs: int, *, targeted: bool) -> dict[str, Any]:
    """The delegation page through the test client, against rendering its template with the context already built."""
    url = f"/delegations/{delegation_id}"
    seen: list[tuple[str, set[str]]] = []

    def capture(_sender, template, context, **_extra) -> None:
        seen.append((template.name, set(context)))

    with template_rendered.connected_to(capture, app):
        sent = client.get(url)
    assert sent.status_code == 200
    view_keys = {key for name, keys in seen if name == "delegations/show.html" for key in keys}

    with app.test_request_context(url):
        user = db.session.scalar(sa.select(User).filter_by(email=PLANNER_EMAIL))
        login_user(user)
        # Exactly the calls the view makes (planner/delegations/routes.py: show).
        delegation = delegation_queries.delegation_with_programme(delegation_id)
        buffer = timedelta(minutes=app.config["CONFLICT_BUFFER_MINUTES"])
        warnings, hints = split_hints(check_programme(delegation, buffer, travel_rules(delegation.id)))
        context = {
            "delegation": delegation,
            "programme": delegation_queries.programme(delegation, every_day=True),
            "warnings": warnings_by_appointment(warnings),
            "hints": warnings_by_appointment(hints),
            "leg_warnings": warnings_by_leg(check_legs(delegation)),
            "outside_legs": len({w.appointment_id for w in warnings if w.kind == "outside_legs"}),
            "quick_add": None,
            "release_status": release_queries.release_status(delegation),
            "may_approve": may_approve(user, delegation),
        }
        missing = {key for key in context if key not in view_keys}
        if missing:
            raise RuntimeError(f"the view no longer passes {sorted(missing)}; update the floor")
        floor_html = render_template("delegations/show.html", **context)
        if _normalise(floor_html) != _normalise(sent.get_data(as_text=True)):
            raise RuntimeError("the floor does not render the page the view sent; the context differs")

        def through_the_view() -> None:
            assert client.get(url).status_code == 200

        def template_only() -> None:
            # The view's request in between ends with its own context: sign in again (the page asks current_user).
            login_user(user)
            render_template("delegations/show.html", **context)

        values, floors = alternate(through_the_view, template_only, runs)
    value, floor = statistics.median(values), statistics.median(floors)
    ratio = value / floor
    return row(
        "programme page: server time",
        trip,
        value * 1000,
        "ms",
        floor * 1000,
        ratio,
        "≤ 1.5 × template floor" if targeted else "(informative; target set for 300)",
        ratio <= 1.5 if targeted else None,
        runs_ms=[round(t * 1000, 2) for t in values],
        floor_runs_ms=[round(t * 1000, 2) for t in floors],
        html_bytes=len(sent.data),
    )


def feed_build(app: Flask, trip: str, delegation_id: int, token: str, runs: int) -> dict[str, Any]:
    """From the database to bytes, against icalendar serializing the same Calendar already built."""
    url = f"/feeds/{token}.ics"
    with app.test_request_context(url):
        subscription = db.session.scalar(sa.select(FeedToken).filter_by(token=token))
        locale, member, source_url = subscription.locale, subscription.member, f"http://localhost{url}"
        today = today_in(app.config["HOME_TIMEZONE"])

        def whole_build() -> bytes:
            db.session.expunge_all()  # nothing cached in the session: the query runs as in a request
            delegation = delegation_queries.delegation_with_programme(delegation_id)
            scope = calendar_export.Scope(member=member and db.session.merge(member, load=False))
            return calendar_export.export_calendar(delegation, scope, locale=locale, today=today, source_url=source_url).body

        body = whole_build()
        delegation = delegation_queries.delegation_with_programme(delegation_id)
        request = calendar_export.calendar_request(
            delegation, calendar_export.Scope(member=member), locale=locale, today=today, source_url=source_url
        )
        calendar = ical.make_calendar(request)
        if calendar.to_ical() != body:
            raise RuntimeError("the floor does not serialize the calendar the builder makes")
        values, floors = alternate(whole_build, calendar.to_ical, runs)
    value, floor = statistics.median(values), statistics.median(floors)
    ratio = value / floor
    return row(
        "feed build: DB to bytes",
        trip,
        value * 1000,
        "ms",
        floor * 1000,
        ratio,
        "≤ 1.5 × to_ical() floor",
        ratio <= 1.5,
        runs_ms=[round(t * 1000, 2) for t in values],
        floor_runs_ms=[round(t * 1000, 2) for t in floors],
        ics_bytes=len(body),
    )


def _throughput(request: Callable[[], None]) -> float:
    """Requests per second over POLLS_PER_RUN requests, or fewer when they take over POLL_SECONDS in all."""
    gc.collect()
    done, start = 0, time.perf_counter()
    while done < POLLS_PER_RUN:
        request()
        done += 1
        if done >= 3 and time.perf_counter() - start > POLL_SECONDS:
            break
    return done / (time.perf_counter() - start)


def feed_polls(anonymous, trip: str, token: str, runs: int) -> dict[str, Any]:
    """Requests per second: polls answered 304, against a constant-body view on the same app."""
    url = f"/feeds/{token}.ics"
    etag = anonymous.get(url).headers["ETag"]
    headers = {"If-None-Match": etag}

    def poll() -> None:
        if anonymous.get(url, headers=headers).status_code != 304:
            raise RuntimeError("the feed did not answer 304 to its own ETag")

    def constant() -> None:
        anonymous.get(CONSTANT_PATH)

    poll(), constant()  # warm-up
    values, floors = [], []
    for _ in range(runs):
        values.append(_throughput(poll))
        floors.append(_throughput(constant))
    value, floor = statistics.median(values), statistics.median(floors)
    ratio = value / floor
    return row(
        "feed poll, 304: throughput",
        trip,
        value,
        "req/s",
        floor,
        ratio,
        # Issue #17: the target is set under gunicorn against /healthz (bench_server.py); in process it is informative.
        "(informative; see gunicorn row)",
        None,
        runs_per_s=[round(v, 1) for v in values],
        floor_runs_per_s=[round(v, 1) for v in floors],
    )


def feed_after_change(
    app: Flask, anonymous, trip: str, delegation_id: int, token: str, full_build_ms: float, targeted: bool = True
) -> dict[str, Any]:
    """The public feed route answering in full right after one appointment changed, against one full build.

    Each run renames one appointment (a different one each time, in the
    middle of the programme, through the ORM so every flush hook runs) and
    then fetches the feed as a calendar app does after a change, without
    ``If-None-Match``. The body must differ from the one before and carry the
    new title, so the figure is a changed feed, whatever the feed keeps between
    requests. Floor: the whole build from the database to bytes (the "feed
    build" row of the same trip, same run).
    """
    url = f"/feeds/{token}.ics"
    with app.app_context():
        ids = db.session.scalars(
            sa.select(Appointment.id).where(Appointment.delegation_id == delegation_id).order_by(Appointment.start_at)
        ).all()
    before = anonymous.get(url)
    assert before.status_code == 200
    with app.app_context():
        # Appointments the feed shows (a cancelled or internal one may be left out), from the middle of the programme.
        uids = dict(db.session.execute(sa.select(Appointment.id, Appointment.uid).where(Appointment.id.in_(ids))).tuples().all())
    shown = [i for i in ids if uids[i].encode() in before.get_data().replace(b"\r\n ", b"")]
    chosen = shown[len(shown) // 2 : len(shown) // 2 + FEED_CHANGE_RUNS]
    anonymous.get(url)  # warm: whatever the route keeps after a full answer
    times = []
    for n, appointment_id in enumerate(chosen):
        title = f"Geänderter Termin {n} (Benchmark)"
        with app.app_context():
            appointment = db.session.get(Appointment, appointment_id)
            appointment.title = title
            db.session.commit()
        gc.collect()
        start = time.perf_counter()
        answer = anonymous.get(url)
        times.append(time.perf_counter() - start)
        body = answer.get_data()
        if answer.status_code != 200 or body == before.get_data() or title.encode() not in body.replace(b"\r\n ", b""):
            raise RuntimeError(f"the feed did not show the changed appointment {appointment_id} ({answer.status_code})")
        before = answer
    value = statistics.median(times) * 1000
    ratio = value / full_build_ms
    return row(
        "feed after one appointment changed (route)",
        trip,
        value,
        "ms",
        full_build_ms,
        ratio,
        "≤ 0.2 × full build" if targeted else "(informative; target set for 3000)",
        ratio <= 0.2 if targeted else None,
        runs_ms=[round(t * 1000, 2) for t in times],
    )


def run(runs: int = 5, sizes: tuple[int, ...] | list[int] = (300, 3000)) -> list[dict[str, Any]]:
    sizes = tuple(sizes)
    workdir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    app = make_app(workdir)
    trips = seed(app, sizes)
    client = sign_in(app)
    anonymous = app.test_client()

    rows = query_counts(app, client, anonymous, trips)
    programme_rows = {}
    for trip, (delegation_id, token) in trips.items():
        programme_rows[trip] = programme_page(app, client, trip, delegation_id, runs, targeted=trip == "300 appointments")
        rows.append(programme_rows[trip])
        build = feed_build(app, trip, delegation_id, token, runs)
        rows.append(build)
        if trip == list(trips)[-1]:  # the largest trip; the target is set for 3,000 appointments
            rows.append(feed_after_change(app, anonymous, trip, delegation_id, token, build["value"], trip == FEED_CHANGE_TRIP))
        rows.append(feed_polls(anonymous, trip, token, runs))
    small, large = programme_rows.get("300 appointments"), programme_rows.get("3000 appointments")
    if small and large:
        ratio = large["value"] / small["value"]
        rows.append(row("programme page: 3,000 vs 300 appointments", "3000 / 300", ratio, "×", target="< 10", passed=ratio < 10))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (the median is reported)")
    parser.add_argument("--sizes", type=sizes_argument, default="300,3000", help="sizes of the generated trips, comma-separated")
    args = parser.parse_args()
    rows = run(runs=args.runs, sizes=args.sizes)
    print(f"Pages and feeds: median of {args.runs} runs; floors measured in the same run")
    print(f"Machine: {describe_machine(machine())}")
    print()
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
