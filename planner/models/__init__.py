"""The domain model. Importing this package registers every table and the revision hook."""

from planner.models import revisions, trash  # noqa: F401  (register the flush and query hooks)
from planner.models.api import ApiToken, TokenScope
from planner.models.base import Base, TimeZoneName, UTCDateTime
from planner.models.calendar import Audience, FeedFollows, FeedToken, ImportState, PendingImport
from planner.models.care import DietaryNeed, PassportType, PersonalDataRead, TravelProfile
from planner.models.care_links import LinkState, MealNameRelease, TravelDataLink
from planner.models.contacts import EmergencyNumber, EmergencyService
from planner.models.delegations import Delegation, DelegationStatus, ItemStatus, Leg, Member, MemberRole
from planner.models.directory import Organization, OrganizationKind, Person, PersonNames, PersonSide, full_name
from planner.models.entry import EntryRule, ValidityFrom
from planner.models.etiquette import EtiquetteNote, EtiquetteTopic
from planner.models.followups import FollowUp, FollowUpStatus
from planner.models.geography import City, Country, Partnership
from planner.models.gifts import Gift, GiftDirection
from planner.models.history import ChangeRecord
from planner.models.hostlang import ContentTranslation, TextState, TranslatedKind
from planner.models.mail import MessageState, OutgoingMessage
from planner.models.program import (
    Appointment,
    AppointmentKind,
    Journey,
    JourneyMode,
    Visibility,
    appointment_attendees,
    appointment_briefings,
    journey_travellers,
)
from planner.models.protocol import (
    RANK_ORDER,
    InterpreterPlace,
    PrecedenceRank,
    ProtocolParticipant,
    SeatingPlan,
    TableShape,
)
from planner.models.releases import FrozenRelease, Release, ReleaseState
from planner.models.rooms import ROOM_CAPACITY, NightKind, NightOverride, Room, RoomType, room_occupants
from planner.models.teams import TeamMember
from planner.models.transport import Transfer, Vehicle, VehicleKind, transfer_riders
from planner.models.users import RecoveryCode, User, UserRole, UserSession

__all__ = [
    "RANK_ORDER",
    "ROOM_CAPACITY",
    "ApiToken",
    "Appointment",
    "AppointmentKind",
    "Audience",
    "Base",
    "ChangeRecord",
    "City",
    "ContentTranslation",
    "Country",
    "Delegation",
    "DelegationStatus",
    "DietaryNeed",
    "EmergencyNumber",
    "EmergencyService",
    "EntryRule",
    "EtiquetteNote",
    "EtiquetteTopic",
    "FeedFollows",
    "FeedToken",
    "FollowUp",
    "FollowUpStatus",
    "FrozenRelease",
    "Gift",
    "GiftDirection",
    "ImportState",
    "InterpreterPlace",
    "ItemStatus",
    "Journey",
    "JourneyMode",
    "Leg",
    "LinkState",
    "MealNameRelease",
    "Member",
    "MemberRole",
    "MessageState",
    "NightKind",
    "NightOverride",
    "Organization",
    "OrganizationKind",
    "OutgoingMessage",
    "Partnership",
    "PassportType",
    "PendingImport",
    "Person",
    "PersonNames",
    "PersonSide",
    "PersonalDataRead",
    "PrecedenceRank",
    "ProtocolParticipant",
    "RecoveryCode",
    "Release",
    "ReleaseState",
    "Room",
    "RoomType",
    "SeatingPlan",
    "TableShape",
    "TeamMember",
    "TextState",
    "TimeZoneName",
    "TokenScope",
    "Transfer",
    "TranslatedKind",
    "TravelDataLink",
    "TravelProfile",
    "UTCDateTime",
    "User",
    "UserRole",
    "UserSession",
    "ValidityFrom",
    "Vehicle",
    "VehicleKind",
    "Visibility",
    "appointment_attendees",
    "appointment_briefings",
    "full_name",
    "journey_travellers",
    "room_occupants",
    "transfer_riders",
]
