"""No log line carries a feed's secret token, whoever writes it.

A subscription URL (``/feeds/<token>.ics``), and the personal page at the
same token (``/p/<token>/``), is a bearer secret: whoever reads
it can read the trip. The planner's own request log redacts it
(:func:`planner.security.loggable_path`), but other code writes URLs too:
werkzeug's request line under ``flask run``, Flask's ``Exception on
/feeds/… [GET]``, gunicorn's ``Error handling request /feeds/…`` and its
access log, and any traceback whose message quotes a URL.

A filter per logger would not do: a logger's filter does not see the records
of its children, and a handler added later (pytest's, syslog, a log shipper)
would come without one. So the redaction sits where every record is made, in
the logging module's record factory: whatever logger creates a record and
whichever handler writes it, the message, the traceback text and the stack
are redacted before anyone can read them. The factory only runs for records
that pass their logger's level, so quiet debug logging costs nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

# The token is URL-safe base64 (plus ".ics", or percent-escapes in a quoted URL); whatever follows
# it in a log line (a space, a quote, ";", "?", the rest of a personal page's path) is kept.
# The same token opens the member's personal page under /p/<token>/ (planner.personal); a traveller's
# one-time link to their own travel data is /travel-data/<token> (planner.care.link).
_FEED_TOKEN = re.compile(r"(/feeds/|/p/|/travel-data/)[A-Za-z0-9_.~%-]+")
_MARK = "_planner_redacts_feed_tokens"
_traceback_formatter = logging.Formatter()


def redact(text: str) -> str:
    """``text`` with every token in a ``/feeds/<token>``, ``/p/<token>`` or ``/travel-data/<token>`` path replaced by ``***``."""
    return _FEED_TOKEN.sub(r"\1***", text)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact ``record`` in place: its message (arguments merged in), traceback and stack text."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001  a broken format string must not break the caller; keep everything, redacted
        message = f"{record.msg} {record.args!r}"
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        # Formatters print exc_text when it is set, so the traceback is formatted once, here, redacted.
        record.exc_text = _traceback_formatter.formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def install() -> None:
    """Make every log record of this process redacted (idempotent; safe to call per app and per worker)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, _MARK, False):
        return

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(factory(*args, **kwargs))

    setattr(redacting_factory, _MARK, True)
    logging.setLogRecordFactory(redacting_factory)


def is_installed() -> bool:
    """Whether :func:`install` has wrapped the current record factory."""
    factory: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
    return bool(getattr(factory, _MARK, False))
