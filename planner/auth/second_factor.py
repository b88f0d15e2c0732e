"""The second factor: a TOTP authenticator (RFC 6238, with ``pyotp``) and one-time recovery codes.

Who needs one: accounts that may see personal data, i.e. admins and the
carers of any trip (``TeamMember.may_care``). Such an account without a
second factor is signed in after its password but reaches nothing except the
enrolment page, sign-out and the language switch
(:func:`planner.auth.access._require_login`, the same gate as the forced
password change). An account *with* a second factor (whether it needs one or
enrolled on its own) is asked for a code after a correct password; until then
the browser holds only a *pending* sign-in (:func:`begin_pending_sign_in`):
the user's id, a fingerprint of the account and an expiry in the signed
session cookie, and Flask-Login knows nothing of it, so no page is reached.

Codes:

* a TOTP code is accepted for the current 30-second step and one step either
  side (clocks of phones drift); each step counts once: the last accepted step
  is stored and a code of that step or an earlier one is refused, so a code
  seen over someone's shoulder is worthless once used;
* a recovery code (ten, shown once at enrolment, stored as SHA-256 digests
  like feed tokens) counts once and is then used up.

Both claims are single conditional UPDATEs, so two requests racing with the
same code cannot both win. Like every operation here, the writes flush and the
calling view commits; a refused code raises :class:`~planner.editing.Rejected`
on the field ``code``.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass

import pyotp
import sqlalchemy as sa
from flask import g, session
from flask_babel import gettext as _

from planner.auth.sessions import CARES, end_all_sessions
from planner.editing import Rejected
from planner.extensions import db
from planner.models import RecoveryCode, TeamMember, User, UserRole
from planner.models.calendar import token_digest
from planner.timezones import utc_now

# The name the authenticator app shows above the code (not translated: it names the product).
ISSUER = "Delegationsplaner"
# Steps either side of now that still count: 30 s of clock drift each way.
VALID_WINDOW = 1
RECOVERY_CODES = 10
# No 0/O, 1/l/I (as the one-time passwords): read off paper. Three groups of five, about 74 bits.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_GROUPS, _GROUP_LENGTH = 3, 5
# How long the code step of a sign-in may take after the password.
PENDING_SECONDS = 300
PENDING_SESSION_KEY = "_planner_second_factor"


# -- who needs one --------------------------------------------------------------------------


def cares_for_personal_data(user: User) -> bool:
    """Whether ``user`` is a carer (``may_care``) on any trip's team.

    For the request's own user the user loader has answered it already
    (:data:`planner.auth.sessions.CARES`); otherwise one query.
    """
    known = g.get(CARES)
    if known is not None and known[0] == user.id:
        return bool(known[1])
    cares = bool(db.session.scalar(sa.select(sa.exists().where(TeamMember.user_id == user.id, TeamMember.may_care.is_(True)))))
    setattr(g, CARES, (user.id, cares))
    return cares


def requires_second_factor(user: User) -> bool:
    """Whether ``user`` may see personal data and so must sign in with a second factor."""
    return user.role == UserRole.ADMIN or cares_for_personal_data(user)


def enrolment_required(user: User) -> bool:
    """Whether ``user`` must set up a second factor before anything else."""
    return not user.has_second_factor and requires_second_factor(user)


# -- enrolment ------------------------------------------------------------------------------


def start_enrolment(user: User) -> str:
    """The secret ``user`` is to scan: the pending one, or a new one (flushed; the view commits).

    Reloading the page must show the same secret (the phone may have scanned it
    already), so a pending secret is kept until it is confirmed or reset.
    """
    if user.has_second_factor:
        raise Rejected("code", _("Für dieses Konto ist bereits ein zweiter Faktor eingerichtet."))
    if user.totp_secret is None:
        user.totp_secret = pyotp.random_base32()
        db.session.flush()
    return user.totp_secret


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` link an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Confirm the pending secret with a code from the app; return the new recovery codes (shown once).

    Raises :class:`~planner.editing.Rejected` on ``code`` and changes nothing
    when the code does not match the pending secret.
    """
    if user.has_second_factor:
        raise Rejected("code", _("Für dieses Konto ist bereits ein zweiter Faktor eingerichtet."))
    if user.totp_secret is None:
        raise Rejected("code", _("Die Einrichtung ist abgelaufen. Bitte laden Sie die Seite neu."))
    steps = _matching_steps(user.totp_secret, _digits(code))
    if not steps:
        raise Rejected("code", _("Der Code stimmt nicht. Bitte geben Sie den aktuellen Code aus Ihrer App ein."))
    user.second_factor_since = utc_now()
    user.totp_last_step = max(steps)
    codes = _new_recovery_codes(user)
    db.session.flush()
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    now = utc_now()
    codes = [
        "-".join("".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LENGTH)) for _ in range(_GROUPS))
        for _ in range(RECOVERY_CODES)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, digest=token_digest(_canonical(c)), created_at=now) for c in codes)
    return codes


def unused_recovery_codes(user: User) -> int:
    """How many of ``user``'s recovery codes are still unused."""
    count = db.session.scalar(
        sa.select(sa.func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return int(count or 0)


def reset_second_factor(user: User) -> bool:
    """Remove ``user``'s second factor (a lost phone); return whether there was one.

    The account enrols again at its next sign-in; its sessions end now (the
    one who lost the phone may have lost the laptop too). The change history
    records ``second_factor_since`` going, with the acting admin. Flushes.
    """
    had = user.totp_secret is not None or user.second_factor_since is not None
    user.totp_secret = None
    user.second_factor_since = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_all_sessions(user.id)
    db.session.flush()
    return had


# -- checking a code at sign-in -------------------------------------------------------------


def check_code(user: User, code: str) -> None:
    """Accept ``code`` (TOTP or recovery code) for ``user``'s sign-in, using it up; flushes.

    Raises :class:`~planner.editing.Rejected` on ``code`` for a wrong, reused
    or used-up code; nothing is changed then.
    """
    if not user.has_second_factor or user.totp_secret is None:
        raise Rejected("code", _("Für dieses Konto ist kein zweiter Faktor eingerichtet."))
    digits = _digits(code)
    if digits is not None:
        if not _claim_step(user, _matching_steps(user.totp_secret, digits)):
            raise Rejected(
                "code",
                _("Der Code stimmt nicht oder wurde schon verwendet. Bitte warten Sie auf den nächsten Code Ihrer App."),
            )
        return
    canonical = _canonical(code)
    used = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.digest == token_digest(canonical),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    if not canonical or used.rowcount != 1:  # type: ignore[attr-defined]
        raise Rejected("code", _("Dieser Wiederherstellungscode gilt nicht (falsch oder schon verwendet)."))


def _digits(code: str) -> str | None:
    """The six digits of a TOTP code as typed ("123 456" too), or ``None`` if it is not one."""
    compact = "".join(code.split())
    return compact if len(compact) == 6 and compact.isascii() and compact.isdigit() else None


def _canonical(code: str) -> str:
    # Recovery codes are typed from paper: case, blanks and hyphens do not matter.
    return "".join(ch for ch in code.lower() if ch.isalnum() and ch.isascii())


def _matching_steps(secret: str, digits: str | None) -> list[int]:
    if digits is None:
        return []
    totp = pyotp.TOTP(secret)
    now = totp.timecode(time.time())
    # Every step of the window is compared (in constant time): how far off a code was does not show.
    matches = [
        step for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1) if hmac.compare_digest(totp.generate_otp(step), digits)
    ]
    return matches


def _claim_step(user: User, steps: list[int]) -> bool:
    for step in sorted(steps, reverse=True):
        claimed = db.session.execute(
            sa.update(User)
            .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return True
    return False


# -- the pending sign-in (password right, code not yet) -------------------------------------


@dataclass(frozen=True)
class PendingSignIn:
    """A sign-in waiting for its code: whose, whether to stay signed in, where to go next."""

    user: User
    remember: bool
    next_url: str | None


def begin_pending_sign_in(user: User, *, remember: bool, next_url: str | None) -> None:
    """Keep in the session that ``user`` gave the right password and now owes a code."""
    session[PENDING_SESSION_KEY] = {
        "user": user.get_id(),  # id and fingerprint: a new password meanwhile voids it
        "until": int(time.time()) + PENDING_SECONDS,
        "remember": remember,
        "next": next_url,
    }


def pending_sign_in() -> PendingSignIn | None:
    """The session's pending sign-in, if there is one, unexpired, for an active account that still has its factor."""
    data = session.get(PENDING_SESSION_KEY)
    if not isinstance(data, dict):
        return None
    reference, until = data.get("user"), data.get("until")
    if not isinstance(reference, str) or not isinstance(until, int) or until < time.time():
        return None
    user_id = reference.partition(":")[0]
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.get_id() != reference or not user.has_second_factor:
        return None
    next_url = data.get("next")
    return PendingSignIn(user=user, remember=bool(data.get("remember")), next_url=next_url if isinstance(next_url, str) else None)


def end_pending_sign_in() -> None:
    """Forget the session's pending sign-in (done, abandoned or expired)."""
    session.pop(PENDING_SESSION_KEY, None)
