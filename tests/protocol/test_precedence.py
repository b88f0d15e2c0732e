"""The default order of precedence and the suggested rank: the rules, table by table (no database)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from planner.models import MemberRole, PrecedenceRank
from planner.protocol.precedence import default_order, moved, suggest_rank


@dataclass(frozen=True)
class P:
    name: str
    rank: PrecedenceRank
    hosting: bool


HEAD, ELECTED, APPOINTED, BUSINESS, STAFF, INTERPRETER = (
    PrecedenceRank.HEAD,
    PrecedenceRank.ELECTED,
    PrecedenceRank.APPOINTED,
    PrecedenceRank.BUSINESS,
    PrecedenceRank.STAFF,
    PrecedenceRank.INTERPRETER,
)

PEOPLE = [
    P("our staff", STAFF, False),
    P("host mayor", HEAD, True),
    P("our CEO", BUSINESS, False),
    P("host department head", APPOINTED, True),
    P("our mayor", HEAD, False),
    P("our interpreter", INTERPRETER, False),
    P("host deputy mayor", ELECTED, True),
    P("our council member", ELECTED, False),
]


def _order(host_first: bool) -> list[str]:
    return [p.name for p in default_order(PEOPLE, rank=lambda p: p.rank, hosting=lambda p: p.hosting, host_first=host_first)]


def test_heads_then_elected_then_appointed_then_business_then_staff_guests_first_among_equals() -> None:
    assert _order(host_first=False) == [
        "our mayor",
        "host mayor",
        "our council member",
        "host deputy mayor",
        "host department head",
        "our CEO",
        "our staff",
    ]


def test_the_host_rule_puts_the_host_first_among_equal_ranks_only() -> None:
    assert _order(host_first=True) == [
        "host mayor",
        "our mayor",
        "host deputy mayor",
        "our council member",
        "host department head",
        "our CEO",
        "our staff",
    ]


def test_equal_rank_and_side_keep_the_order_they_were_added_in() -> None:
    people = [P("b", STAFF, False), P("a", STAFF, False), P("c", STAFF, False)]
    ordered = default_order(people, rank=lambda p: p.rank, hosting=lambda p: p.hosting, host_first=False)
    assert [p.name for p in ordered] == ["b", "a", "c"]


def test_moving_up_and_down_stops_at_the_ends() -> None:
    assert moved(["a", "b", "c"], 1, -1) == ["b", "a", "c"]
    assert moved(["a", "b", "c"], 1, 1) == ["a", "c", "b"]
    assert moved(["a", "b", "c"], 0, -1) == ["a", "b", "c"]
    assert moved(["a", "b", "c"], 2, 1) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("function", "role", "rank"),
    [
        ("Oberbürgermeister der Landeshauptstadt Düsseldorf", MemberRole.LEADER, HEAD),
        (None, MemberRole.LEADER, HEAD),
        ("Bürgermeister von Chongqing", None, HEAD),
        ("Stellvertretende Bürgermeisterin", None, ELECTED),
        ("Vice Mayor of Chongqing", None, ELECTED),
        ("Member of the City Council", None, ELECTED),
        ("Generalkonsul", None, APPOINTED),
        ("CEO der Messe Düsseldorf", MemberRole.MEMBER, BUSINESS),
        ("Gründer von Seegene", None, BUSINESS),
        # Staff stay staff, even when their function names the mayor they serve.
        ("Persönliche Begleitung des Oberbürgermeisters", MemberRole.STAFF, STAFF),
        ("Presse- und Öffentlichkeitsarbeit", MemberRole.PRESS, STAFF),
        ("Dolmetschen Koreanisch", MemberRole.INTERPRETER, INTERPRETER),
        ("Interpreter", None, INTERPRETER),
        ("Customer service", None, STAFF),  # "service" is not "vice"
        (None, MemberRole.MEMBER, BUSINESS),
        (None, None, STAFF),
    ],
)
def test_suggested_rank(function: str | None, role: MemberRole | None, rank: PrecedenceRank) -> None:
    assert suggest_rank(function, role) is rank
