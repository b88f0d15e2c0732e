"""A released programme's snapshot (placeholder until the snapshot module lands)."""

from __future__ import annotations

from typing import Any


def capture(delegation: Any) -> dict[str, Any]:
    return {"format": 1, "title": delegation.title, "revision": delegation.revision}
