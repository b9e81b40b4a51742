"""What schemathesis is given of openapi.yaml (`contract_tests/schema.py`): the spec, less a bound the
format `mailbox` already implies."""

from __future__ import annotations

import itertools
import string
from typing import Any

from schemathesis.openapi.checks import RejectedPositiveData

from contract_tests import profiles, settings
from contract_tests.hooks import Hooks
from contract_tests.schema import SHORTEST_MAILBOX, as_generated_from, load
from onlyoffice_contract import spec
from onlyoffice_contract.mailbox import parse_mailbox


def _nodes(node: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], dict[str, Any]]:
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    if isinstance(node, dict):
        found[path] = node
        for key, value in node.items():
            found |= _nodes(value, (*path, key))
    elif isinstance(node, list):
        for at, value in enumerate(node):
            found |= _nodes(value, (*path, at))
    return found


def test_only_a_min_length_beside_mailbox_is_left_out() -> None:
    document = spec.load()
    given = as_generated_from(document)
    before, after = _nodes(document), _nodes(given)
    assert before.keys() == after.keys()
    changed = {path for path in before if before[path] != after[path] and "minLength" in before[path]}
    mailboxes = {path for path, node in before.items() if node.get("format") == "mailbox"}
    assert mailboxes  # the Mailbox schema, which the request's fields $ref
    assert changed == mailboxes
    for path in changed:  # put each bound back: the rest of the document is as openapi.yaml has it
        after[path]["minLength"] = before[path]["minLength"]
    assert given == document
    assert spec.schema("Mailbox")["minLength"] == 1  # openapi.yaml itself is not changed


def test_the_suite_gives_schemathesis_that_document() -> None:
    loaded = load(settings.load({}))
    schemas = loaded.raw_schema["components"]["schemas"]
    assert "minLength" not in schemas["Mailbox"]
    assert schemas["SendMessageRequest"] == spec.schema("SendMessageRequest")
    assert loaded.location == spec.SPEC_PATH.absolute().as_uri()  # the reports name the spec's file


def test_no_mailbox_is_as_short_as_the_bound_left_out() -> None:
    """So the bound rules out nothing the format does not: every string shorter than the shortest
    mailbox fails the address parser (the format's judge), whatever its characters."""
    alphabet = string.ascii_letters[:4] + "@.<> \"'"
    for length in range(SHORTEST_MAILBOX):
        for chars in itertools.product(alphabet, repeat=length):
            assert parse_mailbox("".join(chars)) is None, chars
    assert parse_mailbox("a@b.c") is not None  # the shortest the parser takes: the bound is no looser


def test_the_suite_still_judges_an_empty_address_by_the_spec() -> None:
    """The verdicts come from openapi.yaml as written: an empty from or recipient is a negative."""
    valid = {"from": "a@example.test", "to": ["b@example.test"]}
    assert profiles.is_valid(valid, "strict")
    assert not profiles.is_valid({**valid, "from": ""}, "strict")
    assert not profiles.is_valid({**valid, "to": [""]}, "strict")


def _rejected(body: dict[str, Any], profile: str) -> bool:
    """Whether the run keeps schemathesis' "valid data rejected" for `body`, answered 400."""
    run = settings.load({"PROFILE": profile})
    operation = load(run)[spec.OPERATION_PATH]["PUT"]
    case = operation.Case(body=body, media_type="application/json")
    failure = RejectedPositiveData(operation="PUT", message="", status_code=400, allowed_statuses=["2xx"])
    kept: bool = Hooks(run).filter_failure(None, failure, case, None)  # type: ignore[arg-type]
    return kept


def test_a_rejection_schemathesis_calls_wrong_is_judged_by_openapi_yaml() -> None:
    """An empty address is valid to schemathesis' copy: refusing it is no failure, under either
    profile; refusing a body openapi.yaml takes still is one."""
    valid = {"from": "a@example.test", "to": ["b@example.test"]}
    for profile in ("strict", "onlyoffice"):
        assert not _rejected({**valid, "to": ["b@example.test", ""]}, profile)
        assert not _rejected({**valid, "from": ""}, profile)
        assert _rejected(valid, profile)
