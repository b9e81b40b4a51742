"""The gate's rules, without git or processes: which side a change breaks, and the version rule."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from contract_tests.spec_gate import versions
from contract_tests.spec_gate.changes import Change, classify
from onlyoffice_contract import spec


def _changed(edit: Any) -> list[Change]:
    new = copy.deepcopy(spec.load())
    edit(new["components"]["schemas"])
    return classify(spec.load(), new)


def test_the_same_spec_has_no_change() -> None:
    assert classify(spec.load(), copy.deepcopy(spec.load())) == []


def test_an_answer_that_accepts_less_breaks_servers_and_a_request_clients() -> None:
    """The same edit, a bound tightened, breaks the other side in an answer than in a request."""
    answers = _changed(lambda s: s["ErrorInfo"]["properties"]["message"].update(maxLength=10))
    assert {(a.breaks_clients, a.breaks_servers) for a in answers} == {(False, True)}  # each error status
    [request] = _changed(lambda s: s["MailAttachment"]["properties"]["fileName"].update(maxLength=10))
    assert (request.breaks_clients, request.breaks_servers) == (True, False)


def test_an_answer_that_accepts_more_breaks_clients_and_a_request_servers() -> None:
    [answer] = _changed(lambda s: s["SuccessEnvelope"]["properties"]["count"].pop("maximum"))
    assert (answer.breaks_clients, answer.breaks_servers) == (True, False)
    [request] = _changed(lambda s: s["MailAttachment"]["properties"]["size"].pop("maximum"))
    assert (request.breaks_clients, request.breaks_servers) == (False, True)


def test_a_refused_field_removed_from_the_answer_is_read_through_the_ref() -> None:
    """ErrorInfo is reached through a `$ref` from several statuses: each answer says it."""
    changes = _changed(lambda s: s["ErrorInfo"]["properties"].pop("stack"))
    assert {c.where.split()[1] for c in changes} == {"400", "402", "403", "404"}
    assert all(c.breaks_clients and not c.breaks_servers for c in changes)


@pytest.mark.parametrize(
    ("changes", "bump"),
    [
        ([], "none"),
        ([Change("x", "doc", info=True)], "patch"),
        ([Change("x", "doc", info=True), Change("y", "optional field")], "minor"),
        ([Change("y", "optional field"), Change("z", "removed", breaks_servers=True)], "major"),
    ],
)
def test_the_bump_a_change_needs(changes: list[Change], bump: str) -> None:
    assert versions.needed(changes) == bump


@pytest.mark.parametrize(
    ("old", "new", "given"),
    [
        ("1.0.0", "1.0.0", "none"),
        ("1.0.0", "1.0.1", "patch"),
        ("1.0.3", "1.1.0", "minor"),
        ("1.4.2", "2.0.0", "major"),
        ("2.0.0", "1.9.9", "none"),  # down: said in the note, and never enough
    ],
)
def test_the_bump_a_change_carries(old: str, new: str, given: str) -> None:
    have, note = versions.given(
        {"version": old, versions.SERVER_VERSION: "12.7.1"},
        {"version": new, versions.SERVER_VERSION: "12.7.1"},
    )
    assert have == given
    assert ("went down" in note) == (new < old)


def test_a_base_before_the_rule_starts_the_versioning() -> None:
    have, note = versions.given(
        {"version": "12.7.0"}, {"version": "1.0.0", versions.SERVER_VERSION: "12.7.1"}
    )
    assert have == versions.START
    assert "starts here" in note
    assert versions.enough(have, "major")
    assert not versions.enough("minor", "major")
    assert versions.enough("major", "minor")


def test_this_spec_follows_the_rule() -> None:
    info = spec.load()["info"]
    assert versions.parse(info["version"])
    assert versions.SERVER_VERSION in info
