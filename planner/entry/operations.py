"""Writes of the entry rules: create, edit, delete (admins; the seed loader writes through the same operations).

Operations take :class:`~planner.entry.inputs.EntryRuleInput`, check the
version the form was opened with, refuse what the rules of the house forbid
with :class:`~planner.editing.Rejected` (naming the field) and flush; the
caller commits. The change history is written by the flush hook
(:mod:`planner.models.history`).

A rule is a fact about another state's law: a rule not marked "to be
verified" must say where it comes from and when that was checked.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.editing import Rejected, ensure_version, flush_edit
from planner.entry.inputs import EntryRuleInput
from planner.extensions import db
from planner.formatting import is_country_code
from planner.models import EntryRule, PassportType


def _check(data: EntryRuleInput, rule_id: int | None = None) -> None:
    for field in ("destination", "nationality"):
        if not is_country_code(getattr(data, field)):
            raise Rejected(field, _l("Bitte ein Land aus der Liste wählen."))
    if data.visa_required and data.visa_free_days is not None:
        raise Rejected("visa_free_days", _l("Bei Visumpflicht bitte keine visumfreien Tage angeben."))
    if not data.visa_required and data.visa_free_days is None:
        raise Rejected("visa_free_days", _l("Bitte die visumfreien Tage angeben oder „Visum erforderlich“ ankreuzen."))
    if data.waiver_covers_official and data.passport_type != PassportType.ORDINARY:
        raise Rejected(
            "waiver_covers_official", _l("Nur eine Regel für gewöhnliche Reisepässe kann auch für Dienstpässe gelten.")
        )
    if not data.to_be_verified and (not data.source or data.checked_on is None):
        raise Rejected(
            "to_be_verified",
            _l("Eine Regel ohne Quelle und Prüfdatum bleibt „noch zu prüfen“. Bitte beides angeben oder das Häkchen setzen."),
        )
    same = sa.select(EntryRule.id).where(
        EntryRule.destination == data.destination,
        EntryRule.nationality == data.nationality,
        EntryRule.passport_type == data.passport_type,
        EntryRule.valid_from.is_(None) if data.valid_from is None else EntryRule.valid_from == data.valid_from,
    )
    if rule_id is not None:
        same = same.where(EntryRule.id != rule_id)
    with db.session.no_autoflush:
        taken = db.session.scalar(sa.select(same.exists()))
    if taken:
        raise Rejected(
            "valid_from",
            _("Für dieses Land, diese Staatsangehörigkeit und Passart gibt es ab diesem Tag schon eine Regel."),
        )


def _assign(rule: EntryRule, data: EntryRuleInput) -> None:
    for field in dataclasses.fields(data):
        setattr(rule, field.name, getattr(data, field.name))


def create_rule(data: EntryRuleInput) -> EntryRule:
    _check(data)
    rule = EntryRule()
    _assign(rule, data)
    db.session.add(rule)
    db.session.flush()
    return rule


def update_rule(rule: EntryRule, data: EntryRuleInput, version: int | None) -> EntryRule:
    ensure_version(rule, version)
    _check(data, rule.id)
    _assign(rule, data)
    flush_edit(rule)
    return rule


def delete_rule(rule: EntryRule, version: int | None) -> None:
    """Delete the rule for good (rules are reference data, not part of a trip: no trash); the history keeps it."""
    ensure_version(rule, version)
    db.session.delete(rule)
    flush_edit(rule)
