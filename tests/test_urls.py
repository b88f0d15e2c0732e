"""URL building: the builders one app compiled serve the next app of the process, and build the same URLs."""

from __future__ import annotations

from pathlib import Path

from werkzeug.routing import Map, PathConverter, Rule

from planner.urls import CompiledOnceRule, RecordIdConverter
from tests.conftest import make_app

# A value each converter accepts, with characters its to_url must quote.
SAMPLES = {RecordIdConverter: 7, PathConverter: "a b/ü"}


def sample(converter: object) -> object:
    return SAMPLES.get(type(converter), "ä ö/?#")  # UnicodeConverter and any other: a string


def test_a_second_app_reuses_the_builders_and_builds_the_same_urls(database_url: str, tmp_path: Path) -> None:
    first = make_app(database_url, tmp_path / "one")
    second = make_app(database_url, tmp_path / "two")
    rules = {rule.endpoint: rule for rule in first.url_map.iter_rules()}
    assert len(rules) > 100
    for rule in second.url_map.iter_rules():
        earlier = rules[rule.endpoint]
        assert isinstance(rule, CompiledOnceRule)
        # One compiled function, bound to each app's own rule (whose converters it calls).
        assert rule._build.__func__ is earlier._build.__func__, rule.rule
        assert rule._build_unknown.__func__ is earlier._build_unknown.__func__, rule.rule
        assert rule._build.__self__ is rule
        values = {name: sample(converter) for name, converter in rule._converters.items()}
        # Werkzeug's own builder, compiled afresh for this rule, is the measure.
        own = Rule._compile_builder(rule, False).__get__(rule, None)
        own_unknown = Rule._compile_builder(rule, True).__get__(rule, None)
        assert rule.build(values, append_unknown=False) == own(**values)
        extra = {**values, "next": "/ä?x=1&y=2"}
        assert rule.build(extra) == own_unknown(**extra)
    with second.test_request_context():
        assert second.url_for("program.edit_appointment", delegation_id=3, appointment_id=14) == (
            "/delegations/3/appointments/14/edit"
        )


def test_equal_text_with_other_defaults_builds_its_own_url() -> None:
    # Werkzeug folds a default into the builder's code: rules with defaults are never shared.
    url_map = Map(
        [
            CompiledOnceRule("/page/<int:number>", endpoint="first", defaults={"number": 1}),
            CompiledOnceRule("/page/<int:number>", endpoint="any"),
        ]
    )
    other = Map([CompiledOnceRule("/page/<int:number>", endpoint="first", defaults={"number": 2})])
    assert url_map.bind("example.org").build("first", {}) == "/page/1"
    assert url_map.bind("example.org").build("any", {"number": 5}) == "/page/5"
    assert other.bind("example.org").build("first", {}) == "/page/2"


def test_a_second_app_reuses_the_parse_and_matches_as_werkzeug_parses(database_url: str, tmp_path: Path) -> None:
    first = make_app(database_url, tmp_path / "one")
    second = make_app(database_url, tmp_path / "two")
    rules = {rule.endpoint: rule for rule in first.url_map.iter_rules()}
    for rule in second.url_map.iter_rules():
        assert all(a is b for a, b in zip(rule._parts[1:], rules[rule.endpoint]._parts[1:], strict=True)), rule.rule  # reused
        # Werkzeug's own parse of the same text on the same map is the measure.
        own = Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods)
        own.map, own.subdomain, own.merge_slashes = second.url_map, rule.subdomain, rule.merge_slashes
        own._trace, own._converters = [], {}
        parts = list(Rule._parse_rule(own, rule.rule))
        assert rule._parts[1:] == parts, rule.rule  # the first part is the (empty) host's
        assert rule._trace[1:] == own._trace and rule.arguments == own.arguments, rule.rule
        # Converters of their own (made for this map), of the same kind and pattern.
        assert {name: (type(c), c.regex) for name, c in rule._converters.items()} == {
            name: (type(c), c.regex) for name, c in own._converters.items()
        }
        assert all(converter.map is second.url_map for converter in rule._converters.values())
    with second.test_request_context():
        assert second.url_for("program.edit_appointment", delegation_id=3, appointment_id=14) == (
            "/delegations/3/appointments/14/edit"
        )
    assert second.url_map.bind("example.org").match("/delegations/3/appointments/14/edit") == (
        "program.edit_appointment",
        {"delegation_id": 3, "appointment_id": 14},
    )
