"""Forms of the release workflow, as typed inputs: preparing a release, approving one, comparing two.

Comparing two versions is a GET form (:class:`CompareForm`). Withdrawing is a button with a confirmation page (the shared
:class:`~planner.web.edit_flow.VersionedActionForm`).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from planner.labels import label
from planner.models import Audience, Member, Release
from planner.releases.inputs import ApprovalInput, CompareInput, PrepareInput
from planner.web.forms import InputForm


class PrepareForm(InputForm):
    """A new release: only a note; the content is the draft as it is when the form is sent."""

    version = None  # type: ignore[assignment]  # WTForms: None removes the inherited field (a new release has none)

    note = TextAreaField(
        _l("Notiz zur Fassung"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Was sich geändert hat oder worauf die freigebende Person achten soll (optional)."),
    )

    def to_input(self) -> PrepareInput:
        return PrepareInput(note=self.note.data)


class ApprovalForm(InputForm):
    """Approving a prepared release; the reason is needed when an admin approves a release they prepared."""

    reason = TextAreaField(
        _l("Begründung"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Pflicht, wenn Sie eine Fassung freigeben, die Sie selbst vorbereitet haben."),
    )

    def fill(self, record: Release) -> None:
        self.version.data = record.version

    def to_input(self) -> ApprovalInput:
        return ApprovalInput(version=self.version.data, reason=self.reason.data)


DRAFT = "draft"


class CompareForm(FlaskForm):
    """Which two versions to compare, for whom; read from the query string (a GET changes nothing: no CSRF token).

    Only what the page offers is accepted: approved versions of this trip, the
    draft as the newer side, the four audiences, and members of this trip.
    """

    class Meta:
        csrf = False

    old = SelectField(_l("Von Version"), choices=[], validate_choice=False)
    new = SelectField(_l("Bis"), choices=[], validate_choice=False)
    audience = SelectField(
        _l("Aus der Sicht von"),
        choices=[SelectChoice(a.value, label(a)) for a in (Audience.TEAM, Audience.LEADERSHIP, Audience.PRESS, Audience.MEMBER)],
        default=Audience.TEAM.value,
        validate_choice=False,
    )
    member = SelectField(_l("Mitglied"), choices=[], validate_choice=False)

    def __init__(self, *args: Any, numbers: list[int], members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.old.choices = [SelectChoice(str(n), _("Version %(number)s", number=n)) for n in numbers]
        self.new.choices = [SelectChoice(DRAFT, _l("Entwurf (aktueller Stand)"))] + [
            SelectChoice(str(n), _("Version %(number)s", number=n)) for n in numbers
        ]
        self.member.choices = [SelectChoice("", _l("– keine Auswahl –"))] + [
            SelectChoice(str(m.id), m.person.display_name) for m in members
        ]
        if numbers and not self.old.data:
            self.old.data = str(numbers[0])  # the release in force against the draft
        if not self.new.data:
            self.new.data = DRAFT

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        offered = {field.name: {str(choice[0]) for choice in field.iter_choices()} for field in (self.old, self.new)}
        for field in (self.old, self.new):
            if field.data not in offered[field.name]:
                field.errors = [*field.errors, _l("Bitte wählen Sie eine freigegebene Version dieser Reise.")]
                ok = False
        if self.audience.data not in {a.value for a in (Audience.TEAM, Audience.LEADERSHIP, Audience.PRESS, Audience.MEMBER)}:
            self.audience.errors = [*self.audience.errors, _l("Bitte wählen Sie eine der angebotenen Sichten.")]
            ok = False
        members = {str(choice[0]) for choice in self.member.iter_choices()} - {""}
        if self.audience.data == Audience.MEMBER.value:
            if not self.member.data:
                self.member.errors = [*self.member.errors, _l("Bitte wählen Sie ein Mitglied aus.")]
                ok = False
            elif self.member.data not in members:
                self.member.errors = [*self.member.errors, _l("Diese Person gehört nicht zu dieser Delegation.")]
                ok = False
        return ok

    def to_input(self) -> CompareInput:
        audience = Audience(self.audience.data)
        member = int(self.member.data) if audience is Audience.MEMBER else None
        new = None if self.new.data == DRAFT else int(self.new.data)
        return CompareInput(old=int(self.old.data), new=new, audience=audience, member_id=member)
