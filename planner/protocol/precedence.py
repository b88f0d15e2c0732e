"""The default order of precedence, and the rank a participant is suggested. Pure functions, no database.

The default order (a planner moves people up and down from there):

1. by rank: heads of the sides, elected officials, appointed officials,
   business leaders, staff (:class:`~planner.models.protocol.PrecedenceRank`);
2. among equal ranks, the guests before the hosting side, as courtesy has it,
   unless the plan says the host's rule puts the host first;
3. otherwise as the people were added (a stable order).

Interpreters have no place in the order; they sit with the principal they serve.

The suggested rank of a new participant is a guess from what the planner
already knows: the member role on our trip (the leader heads our side) and the
words of a person's function. It is only the form's default.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from planner.models.delegations import MemberRole
from planner.models.protocol import RANK_ORDER, PrecedenceRank

T = TypeVar("T")

# Words of a function and the rank they suggest, first match wins. German and English, as the directory writes them.
_FUNCTION_WORDS: tuple[tuple[str, PrecedenceRank], ...] = (
    (r"dolmetsch|interpret|übersetz|translator", PrecedenceRank.INTERPRETER),
    (r"stellvertret|\bvice\b|deputy|beigeordnet", PrecedenceRank.ELECTED),
    (r"oberbürgermeister|lord mayor|^mayor|bürgermeister(?!amt)|\bmayor\b|governor|gouverneur|minister", PrecedenceRank.HEAD),
    (
        r"ratsmitglied|ratsherr|ratsfrau|abgeordnet|council|parlament|parliament|party secretary|parteisekretär",
        PrecedenceRank.ELECTED,
    ),
    (
        r"konsul|botschaft|ambassador|director general|generaldirektor|dezernent|amtsleit|leiter.*amt|beamt|official|behörde",
        PrecedenceRank.APPOINTED,
    ),
    (
        r"ceo|chief|geschäftsführ|vorstand|president|präsident|chairman|vorsitz|gründer|founder|direktor|director|managing",
        PrecedenceRank.BUSINESS,
    ),
)


def suggest_rank(function: str | None, role: MemberRole | None = None) -> PrecedenceRank:
    """The rank a participant's form starts with: from the member role on our trip, else the function's words."""
    if role is MemberRole.LEADER:
        return PrecedenceRank.HEAD
    if role is MemberRole.INTERPRETER:
        return PrecedenceRank.INTERPRETER
    if role in (MemberRole.STAFF, MemberRole.PRESS):
        # Staff stay staff, whatever their function names ("Referent/in Büro Oberbürgermeister").
        return PrecedenceRank.STAFF
    text = (function or "").casefold()
    for pattern, rank in _FUNCTION_WORDS:
        if re.search(pattern, text):
            return rank
    # A member of the delegation without a telling function travels as a business or institution representative.
    return PrecedenceRank.BUSINESS if role is MemberRole.MEMBER else PrecedenceRank.STAFF


def default_order(
    items: Sequence[T],
    *,
    rank: Callable[[T], PrecedenceRank],
    hosting: Callable[[T], bool],
    host_first: bool,
) -> list[T]:
    """``items`` in the default order of precedence (see the module docstring); interpreters are left out."""

    def key(indexed: tuple[int, T]) -> tuple[int, int, int]:
        index, item = indexed
        side = 0 if hosting(item) == host_first else 1
        return RANK_ORDER[rank(item)], side, index

    ranked = [(i, item) for i, item in enumerate(items) if rank(item) is not PrecedenceRank.INTERPRETER]
    return [item for _, item in sorted(ranked, key=key)]


def moved(items: Sequence[T], index: int, step: int) -> list[T]:
    """``items`` with the one at ``index`` moved ``step`` places (-1: up, +1: down); unchanged at either end."""
    target = index + step
    result = list(items)
    if not (0 <= index < len(result)) or not (0 <= target < len(result)):
        return result
    result[index], result[target] = result[target], result[index]
    return result
