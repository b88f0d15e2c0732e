"""The account page's form for a new API token (-> :class:`planner.api.tokens.NewToken`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from planner.api.tokens import NewToken
from planner.labels import choices
from planner.models import TokenScope
from planner.timezones import to_utc

DEFAULT_DAYS = 90


class TokenForm(FlaskForm):
    name = StringField(
        _l("Bezeichnung"),
        validators=[DataRequired(_l("Bitte geben Sie an, wofür das Token ist.")), Length(max=100)],
        description=_l("Zum Beispiel „Intranet-Export“: woran Sie das Token später erkennen."),
    )
    scope = SelectField(_l("Berechtigung"), choices=choices(TokenScope), default=TokenScope.READ.value)
    expires_on = DateField(
        _l("Gültig bis einschließlich"),
        validators=[DataRequired(_l("Bitte geben Sie ein gültiges Datum an."))],
        default=lambda: date.today() + timedelta(days=DEFAULT_DAYS),
    )

    def to_input(self, home_zone: str) -> NewToken:
        """The typed input: the token runs out at the end of the chosen day, home time."""
        # Far beyond the allowed lifetime anyway (the operation refuses it); only the arithmetic must not overflow.
        last_day: date = min(self.expires_on.data, date(9000, 1, 1))
        end = to_utc(datetime.combine(last_day + timedelta(days=1), time(0)), home_zone, fold=0)
        scopes = frozenset({TokenScope(self.scope.data)})
        return NewToken(name=(self.name.data or "").strip(), scopes=scopes, expires_at=end)


class RevokeForm(FlaskForm):
    """A button (CSRF only)."""
