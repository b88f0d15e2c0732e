"""What the release workflow's writes need, as typed values: from a form, a command or a test.

``version`` is the version of the release the writer saw (the approval and
withdrawal pages carry it), so a release approved or withdrawn meanwhile by
someone else is not acted on again.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.models import Audience


@dataclass(frozen=True)
class PrepareInput:
    """A new release of the draft as it is now, with a note for the approver ("Stand nach Abstimmung mit Seoul")."""

    note: str | None = None


@dataclass(frozen=True)
class ApprovalInput:
    """Approving a prepared release; ``reason`` is required only when an admin approves their own."""

    version: int | None
    reason: str | None = None


@dataclass(frozen=True)
class WithdrawalInput:
    version: int | None


@dataclass(frozen=True)
class CompareInput:
    """Two versions to compare (``new`` None: the draft) and whose view of them: an audience, a member for ``member``."""

    old: int
    new: int | None
    audience: Audience
    member_id: int | None = None
