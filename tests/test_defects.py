"""The real server's known defects are met on what its binder binds, never on how the JSON looked.

Each coercion the binder makes can lead into a defect: the suite must then see the defect (and so
excuse the real server's 500 under PROFILE=onlyoffice), and must not see it when the bound request
keeps clear of it. Each row fails if defects were judged on the raw JSON.
"""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests import profiles
from onlyoffice_contract import defects
from onlyoffice_contract.defects import DefectId

BASE = {"from": "sandbox@example.test", "to": ["bob@example.org"]}
OVER = defects.attachments_total_limit() + 1

MET = [
    ("a number for from, bound as its text", {**BASE, "from": 0}, DefectId.FROM_UNPARSABLE),
    (
        "a list for from, its first item",
        {**BASE, "from": ["not an address", "a@b.c"]},
        DefectId.FROM_UNPARSABLE,
    ),
    ("From in another case", {"From": "not an address", "to": BASE["to"]}, DefectId.FROM_UNPARSABLE),
    ("true for from, bound as 'true'", {**BASE, "from": True}, DefectId.FROM_UNPARSABLE),
    ("an id as text", {**BASE, "id": "77"}, DefectId.ID_NOT_FOUND),
    ("an id as a list", {**BASE, "id": [77, 1]}, DefectId.ID_NOT_FOUND),
    (
        "a lone attachment with its size as text",
        {**BASE, "attachments": {"fileId": 1, "size": str(OVER)}},
        DefectId.ATTACHMENTS_OVER_LIMIT,
    ),
    (
        "sizes that add up past the limit",
        {
            **BASE,
            "attachments": [{"fileName": "a", "size": OVER // 2}, {"fileName": "b", "size": OVER // 2 + 1}],
        },
        DefectId.ATTACHMENTS_OVER_LIMIT,
    ),
    ("a lone recipient string", {"from": 0, "to": "bob@example.org"}, DefectId.FROM_UNPARSABLE),
]
CLEAR = [
    ("a from the binder reads whole", {**BASE, "from": ["sandbox@example.test"]}),
    ("a negative id, taken as 0", {**BASE, "id": "-5"}),
    ("null for the id, its default", {**BASE, "id": None}),
    (
        "the same attachment twice, counted once",
        {**BASE, "attachments": [{"fileName": "a", "size": OVER - 1}] * 2},
    ),
    ("no recipient at all: 400 comes first", {"from": 0, "to": []}),
    ("an object for from: no value, so empty: 400 comes first", {**BASE, "from": {"x": 1}}),
]


@pytest.mark.parametrize(("label", "body", "defect"), MET, ids=[row[0] for row in MET])
def test_a_coercion_that_leads_into_a_defect_is_met(
    label: str, body: dict[str, Any], defect: DefectId
) -> None:
    found = profiles.known_defect(body, 500, "onlyoffice")
    assert found is not None, label
    assert found.id is defect, (label, found)
    assert profiles.known_defect(body, 500, "strict") is None  # strict excuses nothing


@pytest.mark.parametrize(("label", "body"), CLEAR, ids=[row[0] for row in CLEAR])
def test_a_bound_request_clear_of_the_defects_meets_none(label: str, body: dict[str, Any]) -> None:
    bound = profiles.bound(body)
    assert bound is not None
    assert defects.meeting(bound) == (), label


def test_only_the_status_the_defect_answers_is_excused() -> None:
    body = {**BASE, "from": 0}
    assert profiles.known_defect(body, 500, "onlyoffice") is not None
    assert profiles.known_defect(body, 502, "onlyoffice") is None
    # An id the suite knows exists (one it was just given) is no missing message.
    known = profiles.known_defect({**BASE, "id": 9}, 500, "onlyoffice", exclude=(DefectId.ID_NOT_FOUND,))
    assert known is None


def test_an_exception_of_the_binder_itself_is_the_real_servers_500() -> None:
    """An empty attachment before another: the real server's List.Insert throws before the call's try
    (ApiManager.cs 66), so it answers 500; the sandbox and a conforming server answer 400."""
    body = {**BASE, "attachments": [{}, {"fileId": 1}]}
    found = profiles.known_defect(body, 500, "onlyoffice")
    assert found is not None
    assert found.id is DefectId.BINDER_EXCEPTION
    assert profiles.known_defect(body, 400, "onlyoffice") is None
    assert profiles.known_defect(body, 500, "strict") is None
    # A refusal of a conversion is the server's own 400 ("Invalid arguments"), never a 500.
    assert profiles.known_defect({**BASE, "importance": "maybe"}, 500, "onlyoffice") is None


def test_every_defect_id_is_a_known_defect() -> None:
    assert sorted(d.id.value for d in defects.KNOWN) == sorted(d.value for d in DefectId)
