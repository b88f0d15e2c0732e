"""Forms of the user management pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from planner.labels import LABELS
from planner.models import User, UserRole
from planner.web.forms import VersionField

# Most privileged first, as people read the list of roles.
ROLE_ORDER = (UserRole.ADMIN, UserRole.PLANNER, UserRole.VIEWER)
ACTIVE = "active"
DISABLED = "disabled"


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, LABELS[role]) for role in ROLE_ORDER]


class InviteForm(FlaskForm):
    # The address is checked (and normalised) by the operation, which also
    # knows about duplicates; both errors end up on this field.
    email = StringField(
        _l("E-Mail-Adresse"),
        validators=[DataRequired(_l("Bitte geben Sie eine E-Mail-Adresse an.")), Length(max=254)],
    )
    role = SelectField(_l("Rolle"), choices=_role_choices(), coerce=UserRole, default=UserRole.VIEWER.value)


class AccountForm(FlaskForm):
    """Role and status of an existing account, with the version it was opened with."""

    role = SelectField(_l("Rolle"), choices=_role_choices(), coerce=UserRole)
    status = SelectField(_l("Status"), choices=[SelectChoice(ACTIVE, _l("Aktiv")), SelectChoice(DISABLED, _l("Deaktiviert"))])
    version = VersionField()

    @classmethod
    def for_user(cls, user: User, **kwargs: Any) -> AccountForm:
        """The form filled from the account as saved now (ignoring the request's form data)."""
        return cls(
            formdata=None,
            data={"role": user.role, "status": ACTIVE if user.active else DISABLED, "version": user.version},
            **kwargs,
        )

    @property
    def active(self) -> bool:
        return self.status.data == ACTIVE
