"""Forms of the release workflow, as typed inputs: preparing a release and approving one.

Withdrawing is a button with a confirmation page (the shared
:class:`~planner.web.edit_flow.VersionedActionForm`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from planner.models import Release
from planner.releases.inputs import ApprovalInput, PrepareInput
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
