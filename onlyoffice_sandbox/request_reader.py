"""Reading a request into the send's fields: as the real server binds it, or by the spec alone.

SANDBOX_BINDER=onlyoffice (the default): the contract core's binder
(`onlyoffice_contract.binder`) reads JSON or the web client's form exactly as the real
server binds it, and every leniency it used comes back as a note. SANDBOX_BINDER=strict:
JSON only, valid against openapi.yaml's request schema as written. Either way the
result is then judged by the request schema (for the binder's result, with any integer
for an enum, which the real server binds), and refused with the 400 that names the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator

from onlyoffice_contract import binder, spec
from onlyoffice_contract.leniency import Leniency
from onlyoffice_sandbox.problems import HRESULT_INVALID_OPERATION, Problem, bad_request, forbidden

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
    return bad_request(f"Invalid arguments: {where}: {error.message}"[:400])


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
    return Read(validate(_json(raw, content_type)))


def as_onlyoffice_binds(raw: bytes, content_type: str, query: bytes) -> Read:
    try:
        bound = binder.bind(raw, content_type, query)
    except binder.BindError as exc:
        if exc.status == 403:
            raise forbidden(exc.message, HRESULT_INVALID_OPERATION) from None
        raise bad_request(exc.message) from None
    if bound.as_written:  # already valid against the schema as written: nothing more to judge
        return Read(bound.request)
    try:
        return Read(validate(bound.request, binder.request_validator()), bound.leniencies)
    except Problem as refused:
        if bound.unread:  # say why `from` is missing: the body was never read
            raise bad_request(f"{refused.message} ({bound.unread})") from None
        raise


def read(mode: str, raw: bytes, content_type: str, query: bytes = b"") -> Read:
    """The fields of the send the request asks for, read by SANDBOX_BINDER `mode`; a Problem if refused."""
    if mode == "strict":
        return strictly(raw, content_type)
    return as_onlyoffice_binds(raw, content_type, query)
