"""Forms of the sign-in flow."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = StringField(_l("E-Mail-Adresse"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Passwort"), validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField(_l("Angemeldet bleiben"))


class PasswordForm(FlaskForm):
    """Change one's own password. The rules for the new one live in :func:`planner.auth.operations.password_problem`."""

    current_password = PasswordField(_l("Bisheriges Passwort"), validators=[DataRequired(), Length(max=1024)])
    new_password = PasswordField(_l("Neues Passwort"), validators=[DataRequired(), Length(max=1024)])
    confirm_password = PasswordField(
        _l("Neues Passwort wiederholen"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("Die beiden neuen Passwörter stimmen nicht überein."))],
    )


class CodeForm(FlaskForm):
    """A code of the second factor: six digits from the app or, at sign-in, a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Bitte geben Sie den Code ein.")), Length(max=64, message=_l("Dieser Code ist zu lang."))],
    )
