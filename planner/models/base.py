"""Declarative base, the UTC column type and small column helpers shared by all models."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from planner import encryption
from planner.text import is_single_line_column, single_line
from planner.timezones import UTC, check_zone, ensure_utc, utc_now

# Deterministic constraint names: Alembic can only drop or alter a constraint
# it can name, and SQLite batch migrations need them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC; naive datetimes are refused.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zone support, so the
    value is stored as naive UTC text and made aware again on the way out.
    Either way Python code only ever sees aware UTC datetimes.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        instant = ensure_utc(value)  # raises for naive datetimes and non-datetimes
        if dialect.name == "sqlite":
            return instant.replace(tzinfo=None)
        return instant

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TimeZoneName(sa.types.TypeDecorator[str]):
    """A canonical IANA zone name; unknown and non-canonical names are refused before they reach the database."""

    impl = sa.String(64)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        check_zone(value)  # raises UnknownTimeZone, also for "localtime", "posixrules", "right/..."
        return value


class Encrypted(sa.types.TypeDecorator[str]):
    """Personal data, stored as a Fernet token (:mod:`planner.encryption`); Python code sees plain text.

    Such a column cannot be searched or compared in SQL: nothing that needs it
    may ask the database about the plain value.
    """

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        return encryption.encrypt(str(value))

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        return encryption.decrypt(value)


class EncryptedDate(sa.types.TypeDecorator[date]):
    """A date that is personal data (a passport's expiry), encrypted like :class:`Encrypted`."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, date) or isinstance(value, datetime):
            raise TypeError(f"EncryptedDate takes a date, not {type(value).__name__}")
        return encryption.encrypt(value.isoformat())

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(encryption.decrypt(value))
        except ValueError:
            # fromisoformat's message would quote the plain text, and messages end up in logs.
            raise encryption.DataKeyError("a stored date opened with the data key but is not a date") from None


def is_encrypted(column: sa.ColumnElement[Any]) -> bool:
    """Whether ``column`` holds personal data as Fernet tokens (:class:`Encrypted`, :class:`EncryptedDate`).

    Backups, the key rotation and the at-rest tests find such columns by this, so
    a new encrypted column is covered without being listed anywhere.
    """
    return isinstance(column.type, (Encrypted, EncryptedDate))


def _one_line(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
    return single_line(value) if isinstance(value, str) else value


@sa.event.listens_for(sa.orm.Mapper, "mapper_configured")
def _single_line_columns(mapper: sa.orm.Mapper[Any], class_: type) -> None:
    """Every one-line column (``String(n)``) keeps its value on one line, however it is set.

    Done when a value is assigned rather than in each form, so the seed, the
    .ics import and the CLI cannot forget it: one line break in a title used to
    turn every calendar of the trip into a server error.
    """
    if not issubclass(class_, Base):
        return
    for prop in mapper.column_attrs:
        if len(prop.columns) == 1 and is_single_line_column(prop.columns[0]):
            sa.event.listen(getattr(class_, prop.key), "set", _one_line, retval=True)


def enum_column(enum_cls: type[enum.Enum], **kwargs: Any) -> Any:
    """A VARCHAR column holding the enum's *values* (stable, readable in SQL and in exports)."""
    return mapped_column(
        sa.Enum(
            enum_cls,
            native_enum=False,
            length=32,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        **kwargs,
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now)


class TrashableMixin:
    """Records that a delete moves to the trash instead of removing them (see :mod:`planner.models.trash`).

    Every ORM query leaves rows with ``deleted_at`` set out, relationship loads
    included; restoring clears it.
    """

    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class VersionedMixin:
    """Optimistic locking for records planners edit in forms.

    ``version`` rises with every change of the record's own data (see
    :mod:`planner.models.revisions`), and every UPDATE carries
    ``WHERE version = <the version this session loaded>``: when two planners
    save the same record, the second save finds a newer version and is
    turned into a conflict instead of silently overwriting the first.
    """

    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # We set the new value ourselves (only for real edits, not for the
        # delegation's revision counter), so SQLAlchemy must not generate one.
        return {"version_id_col": cls.version, "version_id_generator": False}
