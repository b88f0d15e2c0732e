"""Forms of the user management pages; each turns into a typed input of :mod:`planner.admin.inputs`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from planner.admin.inputs import AccountInput, InviteInput
from planner.labels import lazy_label
from planner.models import User, UserRole
from planner.web.forms import InputForm

# Most privileged first, as people read the list of roles.
ROLE_ORDER = (UserRole.ADMIN, UserRole.PLANNER, UserRole.VIEWER)
ACTIVE = "active"
DISABLED = "disabled"


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, lazy_label(role)) for role in ROLE_ORDER]


class InviteForm(InputForm):
    """A new account: nothing saved yet, so no version to compare."""

    version = None  # type: ignore[assignment]  # WTForms' way to drop an inherited field
    # The address is checked (and normalised) by the operation, which also
    # knows about duplicates; both errors end up on this field.
    email = StringField(
        _l("E-Mail-Adresse"),
        validators=[DataRequired(_l("Bitte geben Sie eine E-Mail-Adresse an.")), Length(max=254)],
    )
    role = SelectField(_l("Rolle"), choices=_role_choices(), coerce=UserRole, default=UserRole.VIEWER.value)

    def to_input(self) -> InviteInput:
        return InviteInput(email=self.email.data or "", role=self.role.data)


class AccountForm(InputForm):
    """Role and status of an existing account, with the version it was opened with."""

    role = SelectField(_l("Rolle"), choices=_role_choices(), coerce=UserRole)
    status = SelectField(_l("Status"), choices=[SelectChoice(ACTIVE, _l("Aktiv")), SelectChoice(DISABLED, _l("Deaktiviert"))])

    def fill(self, record: User) -> None:
        self.process(
            formdata=None, data={"role": record.role, "status": ACTIVE if record.active else DISABLED, "version": record.version}
        )

    def to_input(self) -> AccountInput:
        return AccountInput(role=self.role.data, active=self.status.data == ACTIVE)
