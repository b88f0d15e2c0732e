"""What a write of a trip needs, as typed values: from a form, a clone or the seed.

Instants are aware UTC datetimes already resolved from wall time (the form's
:class:`~planner.web.localtime.LocalTimeField` or the seed loader did that);
a leg's wall times are those of its city's zone. ``version`` is the version
the writer saw (None when creating).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from planner.editing import Row
from planner.models import DelegationStatus, FollowUp, FollowUpStatus, ItemStatus, Leg, Member, MemberRole


@dataclass(frozen=True)
class DelegationInput:
    title: str
    home_city_id: int
    start_date: date
    end_date: date
    status: DelegationStatus = DelegationStatus.DRAFT
    purpose: str | None = None
    notes: str | None = None
    duty_phone: str | None = None
    press_public: bool = False
    version: int | None = None


@dataclass(frozen=True)
class NewDelegationInput:
    """A new trip with its first stops; ``legs`` keep their rows' positions for messages about one of them."""

    delegation: DelegationInput
    legs: tuple[Row[LegInput], ...] = ()


@dataclass(frozen=True)
class CloneInput:
    """A copy of a trip: its title and the day the copy departs (everything else comes from the original)."""

    title: str
    start_date: date


@dataclass(frozen=True)
class MemberInput:
    person_id: int
    role: MemberRole = MemberRole.MEMBER
    function: str | None = None
    # Where the member stands in the delegation's list; None: a new member goes last, an edit keeps its place.
    sort_order: int | None = None
    version: int | None = None
    # What the participant's e-mails are written in, and their feeds by default ('de' or 'en').
    language: str = "de"

    @classmethod
    def of(cls, member: Member) -> MemberInput:
        """The member as saved: the base for a copy or a change of a few fields (``dataclasses.replace``)."""
        return cls(
            person_id=member.person_id,
            role=member.role,
            function=member.function,
            sort_order=member.sort_order,
            version=member.version,
            language=member.language,
        )


@dataclass(frozen=True)
class NewMemberInput:
    """A person not yet in the directory who joins the delegation, on our side."""

    family_name: str
    given_name: str | None = None
    title: str | None = None
    function: str | None = None
    role: MemberRole = MemberRole.MEMBER
    language: str = "de"


@dataclass(frozen=True)
class AddMembersInput:
    """Members added in one go: perhaps a person from the directory, and new people typed in rows."""

    existing: MemberInput | None = None
    new_people: tuple[Row[NewMemberInput], ...] = ()


@dataclass(frozen=True)
class LegInput:
    city_id: int
    arrive_at: datetime
    depart_at: datetime
    status: ItemStatus = ItemStatus.TENTATIVE
    focus: str | None = None
    hotel_name: str | None = None
    hotel_address: str | None = None
    hotel_phone: str | None = None
    notes: str | None = None
    version: int | None = None

    @classmethod
    def of(cls, leg: Leg) -> LegInput:
        """The leg as saved: the base for a copy or a change of a few fields (``dataclasses.replace``)."""
        return cls(**{f.name: getattr(leg, f.name) for f in dataclasses.fields(cls)})


@dataclass(frozen=True)
class FollowUpInput:
    title: str
    description: str | None = None
    owner_id: int | None = None
    due_on: date | None = None
    status: FollowUpStatus = FollowUpStatus.OPEN
    organization_id: int | None = None
    appointment_id: int | None = None
    version: int | None = None

    @classmethod
    def of(cls, follow_up: FollowUp) -> FollowUpInput:
        """The follow-up as saved: the base for a change of a few fields (``dataclasses.replace``)."""
        return cls(**{f.name: getattr(follow_up, f.name) for f in dataclasses.fields(cls)})
