"""Writes of the gift register: create, edit, delete, for the trip's editors and admins (and the seed).

Operations take :class:`~planner.gifts.inputs.GiftInput`, refuse rule breaks with
:class:`~planner.editing.Rejected` naming the field, and flush; the caller commits.

The repeat warning is given *before* saving: a gift that went to the same
counterpart before is refused at the field ``repeat_confirmed`` with the earlier
gift named, until the planner ticks it (then it is saved, and the register keeps
showing the warning).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar

from babel.numbers import list_currencies
from flask_babel import gettext as _

from planner.editing import Rejected, delete_edited, flush_edit, optional_text, record_to_save
from planner.extensions import db
from planner.formatting import day
from planner.gifts import queries
from planner.gifts.checks import Counterpart, earlier_repeats
from planner.gifts.inputs import GiftInput
from planner.models import Appointment, City, Delegation, Gift, GiftDirection, Organization, Person

T = TypeVar("T")

# Twelve digits, two of them after the point: Numeric(12, 2).
MAX_VALUE = Decimal("9999999999.99")


def _check_value(field: str, value: Decimal | None) -> None:
    if value is None:
        return
    if value < 0:
        raise Rejected(field, _("Der Wert darf nicht negativ sein."))
    if value > MAX_VALUE:
        raise Rejected(field, _("Dieser Wert ist zu groß. Bitte den Betrag prüfen."))


def _euro_value(data: GiftInput) -> Decimal | None:
    """The value in euros the threshold is compared with; another currency needs its estimate."""
    currency = data.currency.upper()
    if currency not in list_currencies():
        raise Rejected(
            "currency",
            _("Unbekannte Währung „%(code)s“. Bitte einen dreistelligen Code wie EUR, CNY oder KRW angeben.", code=data.currency),
        )
    if currency == "EUR":
        return data.value_amount
    if data.value_amount is not None and data.value_eur is None:
        raise Rejected(
            "value_eur",
            _("Bei anderer Währung als Euro bitte auch den Wert in Euro schätzen: nach ihm richtet sich die Meldepflicht."),
        )
    return data.value_eur


def _load(model: type[T], record_id: int | None, field: str) -> T | None:
    if not record_id:
        return None
    with db.session.no_autoflush:
        found = db.session.get(model, record_id)
    if found is None:
        raise Rejected(field, _("Dieser Eintrag existiert nicht (mehr). Bitte neu wählen."))
    return found


def save_gift(data: GiftInput, *, delegation: Delegation | None, gift: Gift | None = None) -> Gift:
    """Create a gift (of ``delegation``, or of none), or update ``gift``; EditConflict if ``data.version`` is stale."""
    if not data.item.strip():
        raise Rejected("item", _("Bitte angeben, was geschenkt wurde."))
    _check_value("value_amount", data.value_amount)
    _check_value("value_eur", data.value_eur)
    value_eur = _euro_value(data)
    if data.declared_on is not None and not data.declared:
        raise Rejected("declared", _("Ein Meldedatum gibt es nur für ein gemeldetes Geschenk. Bitte „gemeldet“ ankreuzen."))
    person = _load(Person, data.person_id, "person_id")
    organization = _load(Organization, data.organization_id, "organization_id")
    if person is None and organization is None:
        raise Rejected(
            "person_id",
            _("Bitte angeben, von wem das Geschenk kam oder an wen es ging: eine Person, eine Organisation oder beides."),
        )
    city = _load(City, data.city_id, "city_id")
    appointment: Appointment | None = None
    if data.appointment_id:
        appointment = next((a for a in delegation.appointments if a.id == data.appointment_id), None) if delegation else None
        if appointment is None:
            raise Rejected("appointment_id", _("Dieser Termin gehört nicht (mehr) zu dieser Reise."))
    if data.direction is GiftDirection.GIVEN and not data.repeat_confirmed:
        counterpart = Counterpart(data.person_id or None, data.organization_id or None)
        with db.session.no_autoflush:
            pool = queries.given_to([counterpart.person_id], [counterpart.organization_id])
        repeats = earlier_repeats(data.item, counterpart, pool, own_id=gift.id if gift else None)
        if repeats:
            earlier = repeats[-1]
            whom = earlier.person.display_name if earlier.person and earlier.person_id == counterpart.person_id else None
            whom = whom or (earlier.organization.name if earlier.organization else "?")
            raise Rejected(
                "repeat_confirmed",
                _(
                    "Dasselbe Geschenk („%(item)s“) ging schon am %(day)s an %(whom)s. Zum Speichern trotzdem bitte bestätigen.",
                    item=earlier.item,
                    day=day(earlier.given_on),
                    whom=whom,
                ),
            )
    gift = record_to_save(gift, data.version, lambda: Gift(delegation=delegation))
    gift.direction = data.direction
    gift.item = data.item.strip()
    gift.description = optional_text(data.description)
    gift.given_on = data.given_on
    gift.occasion = optional_text(data.occasion) or (appointment.title if appointment else None)
    gift.appointment = appointment
    gift.person = person
    gift.organization = organization
    # The partner city: as chosen, else where the appointment or the organization is.
    gift.city = city or (appointment.city if appointment else None) or (organization.city if organization else None)
    gift.our_side = optional_text(data.our_side)
    gift.value_amount = data.value_amount
    gift.currency = data.currency.upper()
    gift.value_eur = value_eur
    gift.kept_at = optional_text(data.kept_at)
    gift.declared = data.declared
    gift.declared_on = data.declared_on
    gift.notes = optional_text(data.notes)
    gift.placeholder = data.placeholder
    flush_edit(gift)
    return gift


def delete_gift(gift: Gift, version: int | None) -> None:
    """Delete ``gift`` (EditConflict if ``version`` is stale); the change history keeps what it was."""
    delete_edited(gift, version)
