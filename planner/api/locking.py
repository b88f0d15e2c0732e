"""What every API write shares: optimistic locking by ETag/If-Match, and saving through an operation.

A record's entity tag is its row version (:class:`planner.models.base.VersionedMixin`),
which rises with every save. A read answers with it as ``ETag``; a replace,
change or trash must send it back in ``If-Match``: without it 428, with an old
one 412 (RFC 9110 13.1.1, weak tags never match, ``*`` matches any version).
The save itself is the web form's operation; :func:`commit` turns what the
operation refuses into the API's answers (422 naming the field, 412 on a lost
race) and leaves nothing behind either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from flask import abort

from planner.api.writes import Refused
from planner.editing import EditConflict, Rejected
from planner.extensions import db

T = TypeVar("T")


class Versioned(Protocol):
    """A row with a version column (appointments, journeys, members, follow-ups)."""

    @property
    def version(self) -> int: ...


def etag(record: Versioned) -> str:
    """The record's entity tag: its row version, quoted as HTTP wants (``"3"``)."""
    return f'"{record.version}"'


def matched_version(headers: dict[str, str], record: Versioned) -> int:
    """The version named by ``If-Match`` if it is the current one; aborts with 428 without it, 412 if stale."""
    raw = headers.get("if_match")
    if not raw or not raw.strip():
        abort(428)
    tags = [tag.strip() for tag in raw.split(",")]
    if "*" in tags or etag(record) in tags:  # weak tags (W/"3") never match an If-Match (RFC 9110 13.1.1)
        return record.version
    abort(412)


def commit(write: Callable[[], T]) -> T:
    """Run ``write`` (building the input and calling the operation), then commit; on a refusal roll back.

    :class:`Refused` (the body breaks a rule of the form) and :class:`Rejected`
    (the operation refuses, e.g. a person already in the delegation) become the
    422 naming the field; :class:`EditConflict` (someone saved in between) the 412.
    """
    try:
        result = write()
        db.session.commit()
    except Refused:
        db.session.rollback()
        raise
    except Rejected as rejected:
        db.session.rollback()
        raise Refused({rejected.field: [str(rejected.message)]}) from None
    except EditConflict:
        db.session.rollback()
        abort(412)
    return result


def links(resource: str, id_param: str) -> dict[str, Any]:
    """OpenAPI links from an answer that carries one record (with its ``ETag``) to reading, replacing, changing and
    trashing that record: how a client follows the flow, and what Schemathesis' stateful run walks.

    The targets are the operations ``get_<resource>``, ``replace_<resource>``,
    ``change_<resource>`` and ``trash_<resource>`` (their ``operation_id``).
    """
    path = {"path.delegation_id": "$request.path.delegation_id", f"path.{id_param}": "$response.body#/id"}
    locked = {**path, "header.If-Match": "$response.header.ETag"}
    return {
        "read": {"operationId": f"get_{resource}", "parameters": path},
        "replace": {"operationId": f"replace_{resource}", "parameters": locked},
        "change": {"operationId": f"change_{resource}", "parameters": locked},
        "trash": {"operationId": f"trash_{resource}", "parameters": locked},
    }


def document_preconditions(spec: dict[str, Any]) -> dict[str, Any]:
    """Mark ``If-Match`` as the required header it is in the OpenAPI document (a spec processor).

    The schema leaves it optional so that the view, not the validation, answers
    its absence, with 428 Precondition Required (RFC 6585) rather than a 422.
    """
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "header" and parameter.get("name") == "If-Match":
                    parameter["required"] = True
    return spec
