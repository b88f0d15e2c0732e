"""Translated, human-readable labels for the domain's enumerations.

Code and database speak in enum values (``company_visit``); people read these.
"""

from __future__ import annotations

from enum import Enum

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from planner.models import (
    AppointmentKind,
    Audience,
    DelegationStatus,
    DietaryNeed,
    EmergencyService,
    FeedFollows,
    FollowUpStatus,
    InterpreterPlace,
    ItemStatus,
    JourneyMode,
    LinkState,
    MemberRole,
    MessageState,
    NightKind,
    OrganizationKind,
    PassportType,
    PersonSide,
    PrecedenceRank,
    ReleaseState,
    RoomType,
    TableShape,
    UserRole,
    ValidityFrom,
    VehicleKind,
    Visibility,
)

# As pairs, not a dict literal: members of StrEnums hash like their values, so MessageState.SENT and
# LinkState.SENT ("sent") would share one slot of a dict and one enum would show the other's label.
_LABEL_PAIRS: tuple[tuple[Enum, object], ...] = (
    (MessageState.QUEUED, _l("Wartet auf Versand")),
    (MessageState.SENT, _l("Versendet")),
    (MessageState.FAILED, _l("Fehlgeschlagen")),
    (MessageState.OUTBOX, _l("Im Postausgang (kein Mailserver)")),
    (DelegationStatus.DRAFT, _l("Entwurf")),
    (DelegationStatus.PLANNED, _l("In Planung")),
    (DelegationStatus.CONFIRMED, _l("Bestätigt")),
    (DelegationStatus.COMPLETED, _l("Abgeschlossen")),
    (DelegationStatus.CANCELLED, _l("Abgesagt")),
    (ItemStatus.TENTATIVE, _l("Vorläufig")),
    (ItemStatus.CONFIRMED, _l("Bestätigt")),
    (ItemStatus.CANCELLED, _l("Abgesagt")),
    (MemberRole.LEADER, _l("Delegationsleitung")),
    (MemberRole.MEMBER, _l("Mitglied")),
    (MemberRole.STAFF, _l("Begleitung (Verwaltung)")),
    (MemberRole.PRESS, _l("Presse")),
    (MemberRole.INTERPRETER, _l("Dolmetschung")),
    (AppointmentKind.COMPANY_VISIT, _l("Unternehmensbesuch")),
    (AppointmentKind.GOVERNMENT_MEETING, _l("Regierungstermin")),
    (AppointmentKind.PARTNER_CITY_EVENT, _l("Partnerstadt")),
    (AppointmentKind.CULTURAL_VISIT, _l("Kultur")),
    (AppointmentKind.SEMINAR, _l("Seminar")),
    (AppointmentKind.RECEPTION, _l("Empfang")),
    (AppointmentKind.MEAL, _l("Essen")),
    (AppointmentKind.PRESS, _l("Presse")),
    (AppointmentKind.INTERNAL_BRIEFING, _l("Interne Besprechung")),
    (AppointmentKind.OTHER, _l("Sonstiges")),
    (JourneyMode.FLIGHT, _l("Flug")),
    (JourneyMode.TRAIN, _l("Bahn")),
    (JourneyMode.CAR, _l("Auto")),
    (JourneyMode.OTHER, _l("Sonstige Reise")),
    (OrganizationKind.COMPANY, _l("Unternehmen")),
    (OrganizationKind.GOVERNMENT_BODY, _l("Behörde / Regierung")),
    (OrganizationKind.CULTURAL_INSTITUTION, _l("Kultureinrichtung")),
    (OrganizationKind.TRADE_FAIR, _l("Messe")),
    (OrganizationKind.ASSOCIATION, _l("Verband / Organisation")),
    (OrganizationKind.EDUCATION, _l("Bildungseinrichtung")),
    (OrganizationKind.MISSION, _l("Deutsche Auslandsvertretung (Botschaft, Konsulat)")),
    (OrganizationKind.OTHER, _l("Sonstige")),
    (PersonSide.OWN, _l("Eigene Delegation / Stadt")),
    (PersonSide.HOST, _l("Gastgeber / Partner")),
    (FollowUpStatus.OPEN, _l("Offen")),
    (FollowUpStatus.IN_PROGRESS, _l("In Arbeit")),
    (FollowUpStatus.DONE, _l("Erledigt")),
    (FollowUpStatus.DROPPED, _l("Verworfen")),
    (UserRole.ADMIN, _l("Administration")),
    (UserRole.PLANNER, _l("Planung")),
    (UserRole.VIEWER, _l("Lesezugriff")),
    (Visibility.INTERNAL, _l("Intern (nur Planungsteam)")),
    (Visibility.DELEGATION, _l("Delegation")),
    (Visibility.PUBLIC, _l("Öffentlich (auch Presse)")),
    (Audience.TEAM, _l("Planungsteam (alles)")),
    (Audience.LEADERSHIP, _l("Leitung (mit Gesprächsunterlagen, ohne interne Hinweise)")),
    (Audience.MEMBER, _l("Mitglied (eigene Termine)")),
    (Audience.PRESS, _l("Presse (nur öffentliche Termine)")),
    (FeedFollows.RELEASED, _l("Freigegebene Fassung")),
    (FeedFollows.DRAFT, _l("Entwurf (jede Änderung sofort)")),
    (ReleaseState.PREPARED, _l("Zur Freigabe vorbereitet")),
    (ReleaseState.APPROVED, _l("Freigegeben")),
    (ReleaseState.WITHDRAWN, _l("Zurückgezogen")),
    (PassportType.ORDINARY, _l("Reisepass (gewöhnlich)")),
    (PassportType.OFFICIAL, _l("Dienst- oder Diplomatenpass")),
    (DietaryNeed.VEGETARIAN, _l("vegetarisch")),
    (DietaryNeed.VEGAN, _l("vegan")),
    (DietaryNeed.NO_PORK, _l("kein Schweinefleisch")),
    (DietaryNeed.NO_BEEF, _l("kein Rindfleisch")),
    (DietaryNeed.NO_ALCOHOL, _l("kein Alkohol")),
    (DietaryNeed.HALAL, _l("halal")),
    (DietaryNeed.KOSHER, _l("koscher")),
    (DietaryNeed.GLUTEN_FREE, _l("glutenfrei")),
    (DietaryNeed.LACTOSE_FREE, _l("laktosefrei")),
    (DietaryNeed.NUT_ALLERGY, _l("Nussallergie")),
    (DietaryNeed.SEAFOOD_ALLERGY, _l("Allergie gegen Meeresfrüchte")),
    (LinkState.NONE, _l("kein Link")),
    (LinkState.SENT, _l("verschickt, offen")),
    (LinkState.USED, _l("benutzt")),
    (LinkState.EXPIRED, _l("abgelaufen")),
    (LinkState.REVOKED, _l("zurückgezogen")),
    (ValidityFrom.ARRIVAL, _l("ab der Einreise")),
    (ValidityFrom.DEPARTURE, _l("über die Ausreise hinaus")),
    (VehicleKind.CAR, _l("Pkw")),
    (VehicleKind.VAN, _l("Van")),
    (VehicleKind.MINIBUS, _l("Kleinbus")),
    (VehicleKind.COACH, _l("Reisebus")),
    (RoomType.SINGLE, _l("Einzelzimmer")),
    (RoomType.DOUBLE, _l("Doppelzimmer")),
    (RoomType.TWIN, _l("Zweibettzimmer")),
    (RoomType.SUITE, _l("Suite")),
    (NightKind.HOTEL, _l("Anderes Hotel in dieser Nacht")),
    (NightKind.NO_HOTEL, _l("Kein Hotel in dieser Nacht (z. B. Nachtflug)")),
    (EmergencyService.GENERAL, _l("Allgemeiner Notruf")),
    (EmergencyService.POLICE, _l("Polizei")),
    (EmergencyService.FIRE_AND_AMBULANCE, _l("Feuerwehr und Rettungsdienst")),
    (EmergencyService.AMBULANCE, _l("Rettungsdienst")),
    (EmergencyService.FIRE, _l("Feuerwehr")),
    (EmergencyService.TRAVEL_HOTLINE, _l("Touristen-Hotline")),
    (PrecedenceRank.HEAD, _l("Leitung einer Seite (z. B. Oberbürgermeister/in)")),
    (PrecedenceRank.ELECTED, _l("Gewählte Amtsträger/in")),
    (PrecedenceRank.APPOINTED, _l("Ernannte Amtsträger/in (Verwaltung, Konsulat)")),
    (PrecedenceRank.BUSINESS, _l("Wirtschaft und Institutionen")),
    (PrecedenceRank.STAFF, _l("Mitarbeitende, Beratung, Presse")),
    (PrecedenceRank.INTERPRETER, _l("Dolmetscher/in")),
    (TableShape.FRENCH, _l("Lange Tafel, französisch (Gastgeber in der Mitte der Längsseite)")),
    (TableShape.ENGLISH, _l("Lange Tafel, englisch (Gastgeber an der Stirnseite)")),
    (TableShape.ROUND, _l("Runde Tische")),
    (InterpreterPlace.BEHIND, _l("hinter der Person, für die sie dolmetschen")),
    (InterpreterPlace.BESIDE, _l("neben der Person, für die sie dolmetschen (links, zurückgesetzt)")),
)
LABELS: dict[tuple[type, str], object] = {(type(member), member.value): text for member, text in _LABEL_PAIRS}


def choices(enum_cls: type[Enum]) -> list[SelectChoice]:
    """Select choices for every member of ``enum_cls``, labelled lazily (translated when rendered)."""
    return [SelectChoice(member.value, lazy_label(member)) for member in enum_cls]


# The languages the planner writes in (a participant's mail, feeds and brief): the app's LANGUAGES.
# Named in the reader's language like every other choice ("German" on an English page).
LANGUAGE_LABELS: dict[str, object] = {"de": _l("Deutsch"), "en": _l("Englisch")}


def language_choices() -> list[SelectChoice]:
    """Select choices for a participant's language, labelled lazily."""
    return [SelectChoice(code, text) for code, text in LANGUAGE_LABELS.items()]


def language_label(code: str) -> str:
    return str(LANGUAGE_LABELS.get(code, code))


def lazy_label(value: Enum) -> object:
    """The label of ``value``, translated when it is rendered (for choices built before any request)."""
    return LABELS.get((type(value), value.value), value.value)


def label(value: Enum) -> str:
    return str(lazy_label(value))


# The model fields an import (or any other summary of changes) may name, as
# the edit forms call them: people never read column names.
FIELD_LABELS: dict[str, object] = {
    "title": _l("Titel"),
    "status": _l("Status"),
    "start_at": _l("Beginn"),
    "end_at": _l("Ende"),
    "timezone": _l("Zeitzone"),
    "all_day": _l("Ganztägig"),
    "venue": _l("Ort / Gebäude"),
    "address": _l("Adresse"),
    "notes": _l("Hinweise"),
    "language": _l("Sprache"),
    "depart_at": _l("Abfahrt/Abflug"),
    "arrive_at": _l("Ankunft"),
    "departure_timezone": _l("Abfahrt/Abflug: Zeitzone"),
    "arrival_timezone": _l("Ankunft: Zeitzone"),
    "departure_place": _l("Abfahrt/Abflug: Ort"),
    "arrival_place": _l("Ankunft: Ort"),
    "number": _l("Flug-/Zugnummer"),
    "purpose": _l("Anlass"),
    "home_city_id": _l("Heimatstadt"),
    "start_date": _l("Reisebeginn"),
    "end_date": _l("Reiseende"),
    "archived_at": _l("Archiviert am"),
    "person_id": _l("Person"),
    "role": _l("Rolle"),
    "function": _l("Funktion"),
    "sort_order": _l("Reihenfolge"),
    "city_id": _l("Stadt"),
    "focus": _l("Schwerpunkt"),
    "hotel_name": _l("Hotel"),
    "hotel_address": _l("Hoteladresse"),
    "hotel_phone": _l("Hoteltelefon"),
    "uid": _l("Kalender-UID"),
    "kind": _l("Art"),
    "latitude": _l("Breitengrad"),
    "longitude": _l("Längengrad"),
    "organization_id": _l("Organisation"),
    "contact_person_id": _l("Ansprechperson"),
    "objectives": _l("Ziele"),
    "talking_points": _l("Gesprächspunkte"),
    "background": _l("Hintergrund"),
    "dress_code": _l("Kleiderordnung"),
    "visibility": _l("Sichtbarkeit"),
    "deleted_at": _l("In den Papierkorb gelegt am"),
    "mode": _l("Verkehrsmittel"),
    "departure_city_id": _l("Abfahrt/Abflug: Stadt"),
    "arrival_city_id": _l("Ankunft: Stadt"),
    "carrier": _l("Fluggesellschaft/Bahn"),
    "booking_reference": _l("Buchungsnummer"),
    "description": _l("Beschreibung"),
    "owner_id": _l("Zuständig"),
    "due_on": _l("Fällig am"),
    "appointment_id": _l("Termin"),
    "attendees": _l("Teilnehmende"),
    "briefed": _l("Vorbereitet (Unterlagen)"),
    "travellers": _l("Reisende"),
    "name": _l("Name"),
    "given_name": _l("Vorname"),
    "family_name": _l("Familienname"),
    "family_name_first": _l("Familienname zuerst"),
    "side": _l("Seite"),
    "state": _l("Freigabestatus"),
    "note": _l("Notiz"),
    "approval_reason": _l("Begründung der Freigabe"),
    "may_edit": _l("Darf bearbeiten"),
    "may_approve": _l("Darf Programmfassungen freigeben"),
    "may_care": _l("Betreut persönliche Daten"),
    "second_factor_since": _l("Zweiter Faktor eingerichtet am"),
    "destination": _l("Zielland"),
    "nationality": _l("Staatsangehörigkeit"),
    "passport_type": _l("Passart"),
    "valid_from": _l("Gilt ab"),
    "visa_required": _l("Visum erforderlich"),
    "visa_free_days": _l("Visumfreie Tage"),
    "counts_arrival_day": _l("Einreisetag zählt mit"),
    "passport_validity_months": _l("Passgültigkeit (Monate)"),
    "passport_validity_from": _l("Passgültigkeit gerechnet"),
    "waiver_covers_official": _l("Befreiung gilt auch für Dienstpässe"),
    "source": _l("Quelle"),
    "checked_on": _l("Zuletzt geprüft am"),
    "to_be_verified": _l("Noch zu prüfen"),
    "day": _l("Tag"),
    "seats": _l("Sitzplätze (ohne Fahrer)"),
    "driver_name": _l("Fahrer/in"),
    "driver_phone": _l("Telefon Fahrer/in"),
    "plate": _l("Kennzeichen"),
    "vehicle_id": _l("Fahrzeug"),
    "from_appointment_id": _l("Abfahrt vom Termin"),
    "from_place": _l("Abfahrt von (Ort)"),
    "travel_minutes": _l("Fahrzeit (Minuten)"),
    "riders": _l("Mitfahrende"),
    "room_type": _l("Zimmerart"),
    "first_night": _l("Erste Nacht"),
    "last_night": _l("Letzte Nacht"),
    "room_number": _l("Zimmernummer"),
    "occupants": _l("Belegung"),
    "night": _l("Nacht"),
    "shape": _l("Tafelform"),
    "host_side": _l("Gastgebende Seite"),
    "host_first": _l("Gastgeber vor Gästen gleichen Rangs"),
    "interpreter_place": _l("Platz der Dolmetscher/innen"),
    "seats_per_table": _l("Plätze je Tisch"),
    "is_placeholder": _l("Platzhalter"),
    "rank": _l("Rang"),
    "position": _l("Platz in der Rangfolge"),
    "speaking_order": _l("Redefolge"),
    "serves_id": _l("Dolmetscht für"),
    "seat": _l("Sitzplatz"),
}


def field_label(name: str) -> str:
    """The translated name of a model field ("start_at" -> "Beginn"); unknown names as they are."""
    return str(FIELD_LABELS.get(name, name))


# What a carer looked at or did (PersonalDataRead.what), as the read log names it; other helpers' codes
# ("rooming", "entry_check", "contact_sheet") are named here too, so the log reads the same for all of them.
READ_LABELS: dict[str, object] = {
    "profile": _l("Reisedaten angesehen"),
    "profile_edit": _l("Reisedaten geändert"),
    "status": _l("Vollständigkeit und Passablauf in der Übersicht"),
    "rooming": _l("Zimmerliste"),
    "entry_check": _l("Einreiseprüfung"),
    "contact_sheet": _l("Kontaktblatt"),
}


def read_label(what: str) -> str:
    """The translated name of a read log entry's ``what``; an unknown code as it is."""
    return str(READ_LABELS.get(what, what))
