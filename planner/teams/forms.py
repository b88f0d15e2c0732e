"""Forms of the team page: add an account with its rights, change a member's rights.

They check what was sent and hand it on as typed inputs (:mod:`planner.teams.inputs`);
the operations decide what the account's role allows.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired

from planner.teams.inputs import RightsInput, TeamMemberInput


class RightsForm(FlaskForm):
    """A team member's rights (one per row of the team page, told apart by a prefix)."""

    may_edit = BooleanField(_l("Darf bearbeiten"))
    may_approve = BooleanField(_l("Darf Programmfassungen freigeben"))
    may_care = BooleanField(_l("Betreut persönliche Daten"))

    def to_input(self) -> RightsInput:
        return RightsInput(
            may_edit=bool(self.may_edit.data), may_approve=bool(self.may_approve.data), may_care=bool(self.may_care.data)
        )


class AddTeamMemberForm(RightsForm):
    """An account to put on the trip's team, and its rights there."""

    user_id = SelectField(_l("Konto"), coerce=int, validators=[DataRequired(message=_l("Bitte ein Konto auswählen."))], default=0)

    def to_input(self) -> TeamMemberInput:  # type: ignore[override]
        return TeamMemberInput(user_id=self.user_id.data, rights=super().to_input())
