"""One whole programme per worker at a time (planner.workload): the second request waits for the first to end."""

from __future__ import annotations

import platform
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner import allocator, workload
from planner.delegations.queries import delegation_with_programme


def test_a_second_whole_programme_waits_until_the_first_request_ends(app: Flask, keller: int) -> None:
    order: list[str] = []
    first_loaded = threading.Event()
    first_may_end = threading.Event()

    def first() -> None:
        with app.test_request_context(f"/delegations/{keller}"):
            assert delegation_with_programme(keller) is not None
            order.append("first loaded")
            first_loaded.set()
            first_may_end.wait(timeout=60)
            order.append("first ends")

    def second() -> None:
        first_loaded.wait(timeout=60)
        with app.test_request_context(f"/delegations/{keller}/timeline"):
            assert delegation_with_programme(keller) is not None
            order.append("second loaded")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_loaded.wait(timeout=60)
    # The second request is waiting for its turn now (or about to); it must not load before the first ends.
    threads[1].join(timeout=1)
    assert threads[1].is_alive()
    first_may_end.set()
    for thread in threads:
        thread.join(timeout=60)
    assert order == ["first loaded", "first ends", "second loaded"]


def test_one_request_loads_its_programme_again_without_waiting_for_itself(app: Flask, keller: int) -> None:
    with app.test_request_context(f"/delegations/{keller}"):
        assert delegation_with_programme(keller) is not None
        assert delegation_with_programme(keller) is not None  # e.g. read again after a commit


def test_a_failed_request_gives_up_its_turn(app: Flask, keller: int) -> None:
    try:
        with app.test_request_context(f"/delegations/{keller}"):
            delegation_with_programme(keller)
            raise RuntimeError("the page failed")
    except RuntimeError:
        pass
    turns = app.extensions["planner_whole_programmes"]
    assert turns.acquire(timeout=0), "the failed request still holds the turn"
    turns.release()


def test_the_job_worker_and_commands_never_wait(app: Flask, keller: int) -> None:
    turns = app.extensions["planner_whole_programmes"]
    assert turns.acquire(timeout=0)  # every turn taken
    try:
        with app.app_context():  # no request: a job or a `flask` command
            assert delegation_with_programme(keller) is not None
    finally:
        turns.release()


def test_a_whole_programme_page_hands_its_memory_back_once_sent(
    keller: int, planner: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    trims: list[str] = []
    monkeypatch.setattr(allocator, "trim", lambda: trims.append("trim"))
    response = planner.get(f"/delegations/{keller}", buffered=False)
    assert response.status_code == 200
    assert trims == [], "trimmed before the page was sent"
    response.close()
    assert trims == ["trim"]
    # A page of one appointment loads no whole programme: nothing to hand back.
    planner.get("/healthz").close()
    assert trims == ["trim"]


def test_the_allocator_settings_are_safe_to_call() -> None:
    # On glibc (the servers') they take effect (here: for threads this test process starts later, which
    # then share one arena); elsewhere they do nothing. Neither raises.
    assert allocator.one_arena() == (platform.libc_ver()[0] == "glibc")
    allocator.trim()


@pytest.mark.parametrize(("growth", "collected"), [(0, True), (2**40, False)])
def test_a_full_collection_only_after_a_request_that_grew_the_worker(
    keller: int, planner: FlaskClient, monkeypatch: pytest.MonkeyPatch, growth: int, collected: bool
) -> None:
    # A full pass of the cyclic collector frees a large programme's objects, but costs ~0.1 s: only when worth it.
    passes: list[str] = []
    monkeypatch.setattr(workload, "LARGE_GROWTH", growth)
    monkeypatch.setattr(workload.gc, "collect", lambda: passes.append("gc") or 0)
    monkeypatch.setattr(allocator, "trim", lambda: passes.append("trim"))
    planner.get(f"/delegations/{keller}").close()
    assert passes == (["gc", "trim"] if collected else ["trim"])
