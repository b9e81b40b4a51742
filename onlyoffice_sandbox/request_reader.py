"""Reading a request into the send's fields: as the real server binds it, or by the spec alone.

SANDBOX_BINDER=onlyoffice (the default): the contract core's binder
(`onlyoffice_contract.binder`) reads JSON or the web client's form exactly as the real
server binds it, and every leniency it used comes back as a note. SANDBOX_BINDER=strict:
JSON only, valid against openapi.yaml's request schema as written. Either way the
result is then judged by the request schema (for the binder's result, with any integer
for an enum, which the real server binds), and refused with the 400 that names the field.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator

from onlyoffice_contract import binder, spec
from onlyoffice_contract.facts import RefusalId
from onlyoffice_contract.leniency import Leniency, LeniencyKind
from onlyoffice_contract.wire import shown
from onlyoffice_sandbox.problems import HRESULT_INVALID_OPERATION, Problem, bad_request, forbidden, refuse

REQUEST_SCHEMA = spec.request_schema_name()


@dataclass(frozen=True)
class Read:
    fields: dict[str, Any]
    leniencies: tuple[Leniency, ...] = ()  # what the real server accepts only through its binder's leniency


def _schema_problem(error: ValidationError) -> Problem:
    where = error.json_path if error.path else "the request"
    if error.validator == "not":  # the spec's "at least one recipient" rule
        fields = ", ".join(error.validator_value.get("properties", {}))
        return bad_request(f"No recipients: at least one of {fields} must hold an address")
    return refuse(RefusalId.INVALID_ARGUMENTS, f": {where}: {error.message}"[:400])


def validate(payload: Any, validator: Validator | None = None) -> dict[str, Any]:
    """The request, if the request schema takes it; else the 400 that names the field."""
    if validator is None and spec.compiled(REQUEST_SCHEMA).is_valid(payload):  # the verdict, fast
        assert isinstance(payload, dict)
        return payload
    # The reference validator, for the message that names the field.
    errors = list((validator or spec.validator(REQUEST_SCHEMA)).iter_errors(payload))
    # A wrong type says more than "no recipients", which a wrong type can also cause.
    error = best_match(e for e in errors if e.validator != "not") or best_match(errors)
    if error is not None:
        raise _schema_problem(error)
    assert isinstance(payload, dict)
    return payload


def _json(raw: bytes, content_type: str) -> Any:
    # Exactly `application/json`, in that case, as the real server tests it (ApiArgumentBuilder): it
    # reads a body sent as anything else (text/json, application/merge-patch+json) as a form.
    media = content_type.split(";", 1)[0].strip()
    if media != binder.JSON_TYPE:
        raise bad_request(
            f"Unsupported content type {media or '(none)'!r}: send {binder.JSON_TYPE} (the real server"
            " reads any other as a form, and a JSON body sent so is not read)"
        )
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad_request("Unable to deserialize json") from None


def strictly(raw: bytes, content_type: str) -> Read:
    payload = validate(_json(raw, content_type))
    return Read(payload, unknown_names(payload))


@functools.cache
def _declared() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """The request schema's field names, and for each list of objects (attachments) its members'
    names: read from openapi.yaml, folded, since the real server matches names ignoring case."""
    fields, members = spec.request_properties(), {}
    for name, prop in fields.items():
        items = spec.merged(prop).get("items")
        if items is not None and "properties" in spec.merged(items):
            members[name.lower()] = frozenset(m.lower() for m in spec.merged(items)["properties"])
    return frozenset(n.lower() for n in fields), members


def _parsed(raw: bytes) -> Any:
    try:
        return json.loads(raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None


def unknown_names(body: Any) -> tuple[Leniency, ...]:
    """Each top-level field and attachment member of a JSON body that the request schema does not
    declare: the real server ignores it without a word, and a misspelt name (`name` for
    `fileName`) would go unnoticed. At most `binder.MAX_NOTES` of them, then a count."""
    if not isinstance(body, dict):
        return ()
    fields, members = _declared()
    found = [
        Leniency(LeniencyKind.NOT_READ, "", f"{shown(name)}: not a field of the request; ignored")
        for name in body
        if name.lower() not in fields
    ]
    for name, value in body.items():
        known = members.get(name.lower())
        if known is None:
            continue
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            where = f"{shown(name).strip(chr(34))}[{index}]"
            found += [
                Leniency(
                    LeniencyKind.NOT_READ,
                    name,
                    f"{where}.{shown(member).strip(chr(34))}: not a member of an attachment; ignored",
                )
                for member in (item if isinstance(item, dict) else {})
                if member.lower() not in known
            ]
    if len(found) > binder.MAX_NOTES:
        more = Leniency(LeniencyKind.MORE, "", f"and {len(found) - binder.MAX_NOTES} more names not read")
        found = [*found[: binder.MAX_NOTES], more]
    return tuple(found)


def as_onlyoffice_binds(raw: bytes, content_type: str, query: bytes) -> Read:
    try:
        bound = binder.bind(raw, content_type, query)
    except binder.BindError as exc:
        if exc.status == 403:
            raise forbidden(exc.message, HRESULT_INVALID_OPERATION) from None
        raise bad_request(exc.message) from None
    if bound.as_written:  # already valid against the schema as written: nothing more to judge
        return Read(bound.request)
    # A body with a name the schema does not declare is never as written: only here can there be one.
    unknown = unknown_names(_parsed(raw)) if content_type.split(";", 1)[0].strip() == binder.JSON_TYPE else ()
    try:
        return Read(validate(bound.request, binder.request_validator()), (*bound.leniencies, *unknown))
    except Problem as refused:
        if bound.unread:  # say why `from` is missing: the body was never read
            raise bad_request(f"{refused.message} ({bound.unread})") from None
        raise


def read(mode: str, raw: bytes, content_type: str, query: bytes = b"") -> Read:
    """The fields of the send the request asks for, read by SANDBOX_BINDER `mode`; a Problem if refused."""
    if mode == "strict":
        return strictly(raw, content_type)
    return as_onlyoffice_binds(raw, content_type, query)
