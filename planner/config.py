"""Configuration defaults.

Precedence, lowest first: these defaults, ``instance/config.py``, environment
variables (``DATABASE_URL``, ``SECRET_KEY``, ``PLANNER_*``), and finally the
``test_config`` mapping handed to :func:`planner.create_app`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

HOME_TIMEZONE = "Europe/Berlin"
# The city delegations usually start from: a new trip's home city until someone picks another (by name).
HOME_CITY = "Düsseldorf"
BABEL_DEFAULT_LOCALE = "de"
BABEL_DEFAULT_TIMEZONE = "UTC"  # we convert explicitly; never let Babel guess
LANGUAGES = ("de", "en")
# Uploads and request bodies larger than this are refused before any view runs.
MAX_CONTENT_LENGTH = 4 * 1024 * 1024
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
# A signed-in session ends after this long without a request (see planner.security).
PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
REMEMBER_COOKIE_DURATION = timedelta(days=14)
# Behind HTTPS: Secure cookies and HSTS. PLANNER_PROXY_FIX: how many reverse proxies to trust.
PLANNER_HTTPS = False
PLANNER_PROXY_FIX = 0
# Login rate-limit counters: per worker in memory, or shared in Redis when REDIS_URL is set.
RATELIMIT_STORAGE_URI = "memory://"
# pool_pre_ping is added in create_app for database servers (see there), not for SQLite files.
SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
# Minimum gap between appointments at different venues before the programme warns.
CONFLICT_BUFFER_MINUTES = 30
# The travel-time check between consecutive appointments (planner.transport.travel): without a
# transfer time entered by the planner, the straight-line distance between the two places at this
# speed, plus the buffer below (getting out, through security, to the room). 20 km/h because it is
# measured on the straight line: roads are longer (often by a third), so it stands for roughly
# 26 km/h on the road, the day-time average of Seoul's taxis over 2013 (18.7 km/h downtown) as the
# city published it, summarised at http://seoulvillage.blogspot.com/2014/05/seouls-big-data-on-slow-motion.html
# (checked 2026-12-01). A planner who knows the city better sets TRAVEL_CITY_SPEED_KMH or enters the time.
TRAVEL_CITY_SPEED_KMH = 20.0
TRAVEL_BUFFER_MINUTES = 15
# A drive longer than this is a journey between cities, which the journeys plan: the distance
# estimate stops here (and the check of one appointment looks no further for its neighbours).
TRAVEL_MAX_MINUTES = 120
# The job queue (planner.jobs): Redis when REDIS_URL is set, else a SQLite file in the instance folder.
REDIS_URL: str | None = None
JOB_WORKERS = 2  # renders at once, per `flask jobs worker` (PLANNER_RENDER_WORKERS)
JOB_WORKER_TYPE = "process"  # or "thread"
JOB_NICE = 10  # the worker lowers its CPU priority by this much, so pages are answered first
JOB_MAX_PENDING = 50  # more waiting jobs than this: new requests get 503 with Retry-After
JOB_EXPIRES_SECONDS = 900  # a job not started by then is dropped (its record lapses too)
JOB_STALL_SECONDS = 60  # the progress page says the worker may be down after waiting this long
JOB_OUTPUT_SECONDS = 24 * 3600  # finished PDFs are kept this long for the same request
# An uploaded .ics file above this size is parsed by the job worker (progress page), a smaller one in
# the request: 64 KiB (about 150 ordinary events) parse in well under 0.1 s, and a queue round trip costs more.
IMPORT_INLINE_MAX_BYTES = 64 * 1024
# Confirming more items than this is left to the job worker too: each item is saved with its history like an
# edit on the form (about 5 ms each; 500 took 3 s on a busy two-core machine).
IMPORT_INLINE_MAX_ITEMS = 50
# A feed's serialized events (planner.calendar.feed_blocks) are kept this long after its last rebuild.
FEED_BLOCK_SECONDS = 7 * 24 * 3600
# Outgoing e-mail (planner.mail). Without MAIL_SERVER nothing leaves the machine: each message is
# written as an .eml file into MAIL_OUTBOX_FOLDER (default: instance/outbox) and shown on the admin's
# outbox page. With MAIL_SERVER the job worker hands messages to that SMTP server: STARTTLS with
# MAIL_USE_TLS (port 587), implicit TLS with MAIL_USE_SSL (port 465), a login with MAIL_USERNAME and
# MAIL_PASSWORD (environment or instance/config.py, never the repository).
MAIL_SERVER: str | None = None
MAIL_PORT = 587
MAIL_USE_TLS = True
MAIL_USE_SSL = False
MAIL_USERNAME: str | None = None
MAIL_PASSWORD: str | None = None
MAIL_DEFAULT_SENDER = "Delegationsplaner <planner@localhost>"
MAIL_TIMEOUT_SECONDS = 30  # per SMTP connection attempt
MAIL_RETRIES = 5  # attempts after the first, for temporary failures (4xx replies, no connection)
MAIL_RETRY_SECONDS = 120  # between attempts
MAIL_OUTBOX_FOLDER: str | None = None
# A PEM file of the CA that signed the mail server's certificate (an in-house CA); None: the system's CAs.
MAIL_CA_FILE: str | None = None
# Werkzeug's password hash; scrypt in production. The test suite sets a one-round PBKDF2 because
# scrypt's deliberate cost (~50 ms per sign-in) was a large share of its run time.
PASSWORD_HASH_METHOD = "scrypt"
# The product's own domain for calendar UIDs; stable forever once data exists.
UID_DOMAIN = "delegation-planner.invalid"

# Personal data at rest (planner/encryption.py): Fernet keys, newest first, comma-separated; None: the
# instance file data_keys, created on first start. Set the same keys on every host of a deployment.
PLANNER_DATA_KEYS: str | None = None
# Personal travel data is deleted this many days after the end of the person's last trip (planner/care).
PERSONAL_DATA_RETENTION_DAYS = 30
# A traveller's one-time link to their own travel data (planner/care/link.py) lapses after this many days.
TRAVEL_DATA_LINK_DAYS = 14
# Requests to /travel-data/<token> per client address: all of them, and those for a link that does not open.
TRAVEL_DATA_LINK_RATE_LIMIT = "120 per hour"
TRAVEL_DATA_LINK_FAILURE_LIMIT = "20 per 15 minutes; 100 per day"

# Received gifts worth this much (in euros) or more must be declared (planner/gifts/checks.py). 25 € is the
# example the issue names for municipal staff; the city's own rule (e.g. its anti-corruption directive) decides:
# set the figure it gives here (instance/config.py) - to be verified per city.
GIFT_DECLARATION_THRESHOLD_EUR = 25

# Folder with the brief's font files (planner/briefs/fonts.py); None: from their installed packages.
BRIEF_FONT_DIR: str | None = None

_ENV_KEYS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "PLANNER_HOME_TIMEZONE": "HOME_TIMEZONE",
    "PLANNER_HOME_CITY": "HOME_CITY",
    "PLANNER_BASE_URL": "BASE_URL",
    "REDIS_URL": "RATELIMIT_STORAGE_URI",
    "PLANNER_BRIEF_FONT_DIR": "BRIEF_FONT_DIR",
    "PLANNER_DATA_KEYS": "PLANNER_DATA_KEYS",
    # Several planners (or a test) on one Redis keep their counters apart.
    "PLANNER_RATELIMIT_PREFIX": "RATELIMIT_KEY_PREFIX",
    # The counters alone in a Redis of their own (wins over REDIS_URL for them); the queue stays as configured.
    "PLANNER_RATELIMIT_STORAGE": "RATELIMIT_STORAGE_URI",
}
# Environment switches read as booleans or counts rather than strings.
_ENV_SWITCHES = ("PLANNER_HTTPS", "PLANNER_PROXY_FIX")  # same name in the environment and the config


def from_environment(environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, object]:
    """Return the settings that environment variables override."""
    environ = os.environ if environ is None else environ
    settings: dict[str, object] = {}
    for env_key, config_key in _ENV_KEYS.items():
        value = environ.get(env_key)
        if value:
            settings[config_key] = normalise_database_url(value) if env_key == "DATABASE_URL" else value
    if environ.get("REDIS_URL"):
        settings["REDIS_URL"] = environ["REDIS_URL"]  # the job queue's too, not only the rate limiter's
    for key in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER", "MAIL_CA_FILE"):
        if environ.get(key):
            settings[key] = environ[key]
    if environ.get("MAIL_PORT"):
        settings["MAIL_PORT"] = int(environ["MAIL_PORT"])
    for key in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        if environ.get(key):
            settings[key] = bool(_switch(key, environ[key]))
    if environ.get("PLANNER_RENDER_WORKERS"):
        settings["JOB_WORKERS"] = int(environ["PLANNER_RENDER_WORKERS"])
    for key in _ENV_SWITCHES:
        value = environ.get(key)
        if value:
            settings[key] = _switch(key, value)
    return settings


def _switch(name: str, value: str) -> int:
    """``1``/``true``/``yes``/``on`` → 1, ``0``/``false``/``no``/``off`` → 0, a number → that number."""
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return 1
    if lowered in {"0", "false", "no", "off", ""}:
        return 0
    if lowered.isdigit():
        return int(lowered)
    raise ValueError(f"{name}={value!r}: expected 0/1, yes/no, true/false or a number of proxies")


def normalise_database_url(url: str) -> str:
    """Accept the ``postgres://`` and ``postgresql://`` forms hosting platforms hand out.

    SQLAlchemy would pick psycopg2 for a bare ``postgresql://``; we ship psycopg 3.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "planner.sqlite3")


def load_or_create_secret_key(instance_path: str) -> str:
    """Read the instance's secret key, generating it on first start (see :func:`load_or_create_key_file`)."""
    return load_or_create_key_file(Path(instance_path) / "secret_key", lambda: secrets.token_hex(32))


def load_or_create_key_file(path: Path, generate: Callable[[], str]) -> str:
    """Read a key file of the instance folder, writing ``generate()`` into it on first start.

    The key lives in the instance folder (mode 0600) so it survives restarts
    and is shared by every worker on this host, but is never in the repository.
    The file is written completely under a temporary name and then linked into
    place, so no worker ever reads a half-written (empty) key; when several
    start at once, the first link wins and everyone reads that key.
    """
    key = _read_key(path)
    if key:
        return key
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(generate() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        if path.exists():
            # An empty or unreadable leftover (e.g. a crash in an older version): replace it.
            os.replace(temporary, path)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return ""
