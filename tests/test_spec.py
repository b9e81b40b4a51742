"""openapi.yaml says what the server accepts and answers, and its examples obey it."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.hostile import JSON_TYPE, corpus, request_bodies
from onlyoffice_contract import spec

VALID = {"from": "alice@example.test", "to": ["bob@example.test"]}


def examples() -> list[tuple[str, str, Any]]:
    """Every example the operation carries: (where, schema name, example)."""
    op = spec.operation()
    found = []
    for content_type, media in op["requestBody"]["content"].items():
        found.append((f"request {content_type}", media["schema"]["$ref"], media["example"]))
    for status, response in op["responses"].items():
        for content_type, media in spec.resolve(response).get("content", {}).items():
            if "$ref" in media["schema"]:
                found.append((f"{status} {content_type}", media["schema"]["$ref"], media["example"]))
    return found


@pytest.mark.parametrize(
    ("where", "ref", "example"), examples(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_examples_validate_against_their_schemas(where: str, ref: str, example: Any) -> None:
    name = ref.rsplit("/", 1)[-1]
    assert list(spec.validator(name, formats=True).iter_errors(example)) == []


def test_every_status_response_has_an_example() -> None:
    # So that the test above covers every declared response.
    assert {where.split()[0] for where, _, _ in examples()} >= {"request"} | {
        str(s) for s in spec.declared_statuses() if spec.media_types(s) and s != 401
    }


def test_the_api_page_example_is_refused() -> None:
    # The API page wraps the attachment in {"value": ...} and sends numbers and
    # booleans as strings; the strict contract does not accept it.
    page_example = {
        "id": "1234",
        "from": "some text",
        "to": ["some text"],
        "importance": "true",
        "tags": ["1234"],
        "attachments": [{"value": {"fileId": "1234", "size": "1234"}}],
        "fileLinksShareMode": "None",
        "requestReceipt": "true",
    }
    messages = {e.json_path for e in spec.validator(spec.request_schema_name()).iter_errors(page_example)}
    assert {"$.id", "$.importance", "$.tags[0]", "$.fileLinksShareMode", "$.requestReceipt"} <= messages


def with_changes(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(VALID)
    for key, value in changes.items():
        if value is None:
            payload.pop(key.rstrip("_"), None)
        else:
            payload[key.rstrip("_")] = value
    return payload


@pytest.mark.parametrize(
    "payload",
    [
        VALID,
        {"from": "Alice <alice@example.test>", "bcc": ["c@example.test"]},
        {"from": "a@example.test", "to": [], "cc": ["c@example.test"]},
        with_changes(id=-5, unknownField={"x": 1}),
        with_changes(id=2**31 - 1, tags=[-(2**31)], fileLinksShareMode=8),
        with_changes(attachments=[{"fileId": 1, "size": 2**63 - 1, "attachedAsLink": True}]),
        # null for an optional string means absent: the web client sends these.
        {**VALID, "mimeReplyToId": None, "subject": None, "body": None, "calendarIcs": None},
        with_changes(attachments=[{"fileId": 1, "contentId": None, "tempStoredUrl": None, "fileName": None}]),
    ],
)
def test_the_schema_accepts_what_the_server_accepts(payload: dict[str, Any]) -> None:
    assert list(spec.validator(spec.request_schema_name()).iter_errors(payload)) == []


@pytest.mark.parametrize(
    "payload",
    [
        with_changes(from_=None),
        with_changes(from_=""),
        with_changes(to=None),
        with_changes(to=[]),
        {"from": "a@example.test", "to": [], "cc": [], "bcc": []},
        with_changes(to=[""]),
        with_changes(to="bob@example.test"),  # a lone string is a leniency of the real server only
        with_changes(id=2**31),
        with_changes(id=1.5),
        with_changes(id="1"),
        with_changes(importance="true"),
        with_changes(tags=[2**31]),
        with_changes(fileLinksShareMode=9),
        with_changes(attachments=[{"size": 2**63}]),
        with_changes(attachments=[{"fileId": "1"}]),
        with_changes(subject=None, body=7),
        [VALID],
        # null is absent only for optional strings: the spec does not take it for others.
        {**VALID, "from": None},
        {**VALID, "to": None},
        {**VALID, "importance": None},
        {**VALID, "id": None},
        {**VALID, "tags": None},
        with_changes(attachments=[{"fileId": None}]),
    ],
)
def test_the_schema_refuses_what_the_server_refuses(payload: Any) -> None:
    assert list(spec.validator(spec.request_schema_name()).iter_errors(payload)) != []


def test_envelopes() -> None:
    ok = {"count": 1, "response": 5, "status": 0, "statusCode": 200}
    success = spec.validator("SuccessEnvelope")
    assert success.is_valid(ok)
    for bad in ({**ok, "response": 0}, {**ok, "statusCode": 201}, {**ok, "response": "5"}, 5):
        assert not success.is_valid(bad)
    err = {"status": 1, "statusCode": 400, "error": {"message": "m", "hresult": 1, "data": {}}}
    failure = spec.validator("ErrorEnvelope")
    assert failure.is_valid(err)
    for bad in ({**err, "status": 0}, {**err, "error": {"hresult": 1}}, {**err, "statusCode": 200}):
        assert not failure.is_valid(bad)


def test_responses() -> None:
    responses = spec.operation()["responses"]
    assert "default" not in responses  # a catch-all would make status checks unable to fail
    assert set(spec.declared_statuses()) >= {200, 400, 401, 402, 403, 404, 503}
    unauthorized = spec.resolve(responses["401"])
    # The real server's (ASP.NET's default type, ErrorHttpHandler.cs) and a proxy's; never the envelope.
    assert spec.media_types(401) == ("text/html", "text/plain")
    assert all(media["schema"]["type"] == "string" for media in unauthorized["content"].values())
    assert "WWW-Authenticate" in unauthorized["headers"]
    for status in spec.declared_statuses():
        if status >= 400 and status not in (401, 503):
            media = spec.resolve(responses[str(status)])["content"]["application/json"]
            assert media["schema"]["$ref"].endswith("/ErrorEnvelope")
    # A portal being transferred answers before routing and auth, with an empty body (Global.asax.cs).
    assert spec.media_types(503) == ()


def test_no_413_is_declared() -> None:
    """A body past the web server's limit is refused by that server with a page of its own (the real
    one's nginx), the sandbox's in the envelope: declaring either would fail the other's server."""
    assert 413 not in spec.declared_statuses()
    assert "413" in spec.operation()["description"]  # said in words instead


def test_file_share_members_have_names() -> None:
    file_share = spec.schema("FileShare")
    assert len(file_share["x-enum-varnames"]) == len(file_share["enum"])


def test_security_is_the_authorization_header() -> None:
    schemes = spec.load()["components"]["securitySchemes"]
    [(name, scheme)] = schemes.items()
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert spec.load()["security"] == [{name: []}]


# -- the compiled validator gives the same verdict as the reference one ------------------------------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def _some_fields_replaced(body: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    names = [*spec.request_properties(), "unknown"]
    return st.dictionaries(st.sampled_from(names), _json, max_size=3).map(lambda changes: {**body, **changes})


@pytest.mark.slow
@settings(max_examples=1500, database=None)
@given(request_bodies("a@example.test").flatmap(_some_fields_replaced) | _json)
def test_the_compiled_validator_agrees_with_the_reference_one(body: Any) -> None:
    name = spec.request_schema_name()
    assert spec.compiled(name).is_valid(body) == spec.validator(name).is_valid(body)


def test_the_compiled_validator_agrees_on_the_hostile_corpus() -> None:
    name = spec.request_schema_name()
    bodies = [json.loads(raw) for _, _, raw, media in corpus() if media == JSON_TYPE and _parses(raw)]
    assert len(bodies) > 200
    verdicts = [spec.compiled(name).is_valid(b) for b in bodies]
    assert verdicts == [spec.validator(name).is_valid(b) for b in bodies]
    assert True in verdicts
    assert False in verdicts


def _parses(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except (ValueError, RecursionError):
        return False
    return True


def test_the_optional_strings_and_only_they_are_nullable() -> None:
    """null means absent for an optional string, in the request and in an attachment; nowhere else."""
    request = spec.schema(spec.request_schema_name())
    for schema, required in ((request, set(request["required"])), (spec.schema("MailAttachment"), set())):
        for name, prop in schema["properties"].items():
            node = spec.merged(prop)
            optional_string = node.get("type") == "string" and name not in required
            assert bool(node.get("nullable")) is optional_string, name


def test_the_description_says_the_wire_and_the_filters() -> None:
    text = spec.operation()["description"]
    for words in (
        "Attachments are never refused; unreadable ones are skipped",
        "/api/2.0/mail/messages/send.json",
        "application/x-www-form-urlencoded",
        "asc_auth_key",
        "402",
        "503",
    ):
        assert words in text, words
    assert (
        "Mail product is not available" in spec.load()["components"]["responses"]["Forbidden"]["description"]
    )
    assert "must name a file the server can read" not in text  # the old rule 5 is gone
