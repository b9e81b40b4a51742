"""`onlyoffice-contract audit`: HARs of real exchanges with the sandbox and its faulty variants, judged.

Every HAR here is recorded from requests really sent over loopback (`harness/har.py`): ONLYOFFICE's
own traffic (`harness/first_party.py`) to the onlyoffice sandbox, as JSON, as the web client's form and
to `send.json`; and a fixed set of requests to each faulty variant whose fault shows in traffic alone,
which the audit must flag by the fault's own rule or check (and the plain sandbox must pass).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from contract_tests import audit, cli, traffic
from harness import har
from harness.faulty_sandboxes import FAULTS, Fault, strict_settings
from harness.first_party import CORPUS, DRAFT_ID, Traffic
from harness.form_wire import FORM_TYPE, param
from harness.sandboxes import MAILBOX, SEND_PATH, TOKEN, running, settings_in, write_drafts
from onlyoffice_contract import facts, spec
from onlyoffice_contract.facts import CheckId

WAYS = [("json", ""), ("json", ".json"), ("form", ".json")]  # the C# client's, an app's, the web client's
JSON_HEADERS = {"Authorization": TOKEN, "Content-Type": "application/json; charset=utf-8"}


_CLIENT = httpx.Client(timeout=30)  # one for all: a client each (httpx.put) was most of the time


def _send(url: str, body: bytes, headers: dict[str, str], route: str = "") -> httpx.Response:
    _CLIENT.cookies.clear()  # each request carries only the credentials it is given
    return _CLIENT.put(f"{url}{SEND_PATH}{route}", content=body, headers=headers)


@pytest.fixture(scope="module")
def first_party(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[Traffic, str]]]:
    """A HAR of the whole corpus sent each way to the onlyoffice sandbox, with what each entry was."""
    folder = tmp_path_factory.mktemp("audit-first-party")
    drafts = [{"id": DRAFT_ID + n, **e.draft} for e in CORPUS if e.draft for n in range(len(WAYS))]
    settings = settings_in(folder, binder="onlyoffice", drafts=write_drafts(folder, drafts))
    sent, kinds = [], []
    with running(settings) as url:
        for entry in CORPUS:
            for n, (wire, route) in enumerate(WAYS):
                body = dict(entry.body, **({"id": DRAFT_ID + n} if entry.draft else {}))
                if wire == "json":
                    response = _send(url, json.dumps(body).encode(), JSON_HEADERS, route)
                else:  # the web client: jQuery's form and the session cookie
                    headers = {"Cookie": f"asc_auth_key={TOKEN}", "Content-Type": FORM_TYPE}
                    response = _send(url, param(body), headers, route)
                assert response.status_code == 200, response.text
                sent.append(response)
                kinds.append((entry, wire))
        sent.append(_CLIENT.get(f"{url}/sandbox/outbox"))  # not the send call: passed over
    return har.write(folder / "first-party.har", sent), kinds


def test_first_party_traffic_keeps_the_contract_and_each_leniency_is_named(
    first_party: tuple[Path, list[tuple[Traffic, str]]],
) -> None:
    path, kinds = first_party
    report = audit.judge_all(traffic.read(path), "onlyoffice")
    assert len(report.entries) == len(kinds)
    assert report.passed_through == 1
    for judged, (entry, wire) in zip(report.entries, kinds, strict=True):
        expected = entry.leniencies if wire == "json" else entry.form_leniencies
        assert tuple(item.shown for item in judged.leniencies) == expected, entry.name
        assert judged.findings == (), entry.name
        assert judged.refusal == "", entry.name
        lenient = bool(expected) or wire == "form"
        assert judged.verdict is (audit.Verdict.LENIENT if lenient else audit.Verdict.KEEPS), entry.name
        assert (audit.FORM_BODY in judged.relied) is (wire == "form")
    assert not report.failed
    totals = report.by_leniency()
    assert totals[audit.FORM_BODY] == len(CORPUS)
    assert totals["converted(fileLinksShareMode)"] == 2
    assert totals["lone-value(to)"] == 2


def test_the_command_exits_0_and_1_under_strict_and_never_shows_the_token(
    first_party: tuple[Path, list[tuple[Traffic, str]]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _ = first_party
    assert cli.main(["audit", str(path), "--profile", "onlyoffice", "--report-dir", str(tmp_path / "a")]) == 0
    kept = capsys.readouterr().out
    assert "keeps the contract" in kept
    assert "relies on form-body, without-brackets(to)" in kept
    assert cli.main(["audit", str(path), "--profile", "strict", "--report-dir", str(tmp_path / "b")]) == 1
    broken = capsys.readouterr().out
    assert "breaks the contract" in broken
    written = json.loads((tmp_path / "b" / "audit.json").read_text())
    assert written["failed"] is True
    assert written["totals"]["leniencies"]["form-body"] == len(CORPUS)
    for text in (kept, broken, *(p.read_text() for p in tmp_path.glob("*/audit.*"))):
        assert TOKEN not in text
        assert "Cookie" not in text


def test_a_file_that_is_no_traffic_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = {
        "text.har": "not json at all\n",
        "empty.har": "",
        "object.json": json.dumps({"log": {"pages": []}}),
        "lines.jsonl": json.dumps({"method": "PUT"}) + "\n",
        "no-send-call.jsonl": json.dumps({"method": "GET", "url": "http://h/", "status": 200}) + "\n",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        assert cli.main(["audit", str(tmp_path / name), "--report-dir", str(tmp_path / "r")]) == 4, name
        assert capsys.readouterr().err.startswith("usage:"), name
    assert cli.main(["audit", str(tmp_path / "missing.har")]) == 4
    assert not (tmp_path / "r").exists()


def test_json_lines_are_read_as_a_har_is(
    first_party: tuple[Path, list[tuple[Traffic, str]]], tmp_path: Path
) -> None:
    path, _ = first_party
    exchanges = traffic.read(path)
    lines = tmp_path / "log.jsonl"
    lines.write_text("\n".join(traffic.to_line(e) for e in exchanges) + "\n")
    assert traffic.read(lines) == exchanges


# -- faulty answers -----------------------------------------------------------------------------------

OVER = facts.attachments_total_limit()


def _requests() -> list[tuple[bytes, dict[str, str], str]]:
    """Requests whose answers show, between them, every fault that traffic alone can show."""
    good = {"from": MAILBOX, "to": ["bob@example.org"], "cc": ["carol@example.net"], "subject": "Hi"}
    big = [{"fileId": n, "fileName": f"f{n}", "size": OVER, "storedName": f"s{n}"} for n in (1, 2)]
    bodies: list[tuple[Any, dict[str, str]]] = [
        (good, JSON_HEADERS),
        (good, {"Content-Type": "application/json"}),  # no credentials: 401
        (good, {**JSON_HEADERS, "Authorization": "wrong-token-6f1d"}),  # a challenge is due
        ({**good, "from": ""}, JSON_HEADERS),  # 400 in the envelope
        ({**good, "id": "abc"}, JSON_HEADERS),  # does not convert
        ({**good, "from": "not an address"}, JSON_HEADERS),
        ({**good, "to": ["not an address"]}, JSON_HEADERS),
        ({**good, "to": ["bob@example.org", ""]}, JSON_HEADERS),  # an empty address: 400
        ({**good, "to": [], "cc": []}, JSON_HEADERS),
        ({**good, "id": 987654}, JSON_HEADERS),  # no such message: 404
        ({**good, "attachments": big}, JSON_HEADERS),
        (good, {**JSON_HEADERS, "Content-Type": "text/json"}),  # not read by the real server
    ]
    sent = [(json.dumps(b).encode(), h, "") for b, h in bodies]
    return [*sent, (b"{broken", JSON_HEADERS, ".json")]


def _recorded(url: str, path: Path) -> Path:
    return har.write(path, [_send(url, body, headers, route) for body, headers, route in _requests()])


@pytest.fixture(scope="module")
def good_server_har(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("audit-good")
    with running(strict_settings(folder)) as url:
        return _recorded(url, folder / "good.har")


def test_the_sandbox_itself_keeps_the_contract_under_both_profiles(good_server_har: Path) -> None:
    for profile in ("onlyoffice", "strict"):
        report = audit.judge_all(traffic.read(good_server_har), profile)
        assert [e.findings for e in report.entries] == [()] * len(_requests()), profile
        assert not report.failed, report.terminal()
        verdicts = [e.verdict.value for e in report.entries]
        assert verdicts == ["keeps"] * 3 + ["refused"] * 6 + ["keeps"] + ["refused"] * 3, profile


SEEN_IN_TRAFFIC = [  # each fault whose rule or check an exchange shows without the server's state
    "wrong success status (201)", "a bare id instead of the envelope", "the id as a string",
    "a success id of 0", "an error envelope whose statusCode differs from the HTTP status",
    "an error envelope without its error object", "auth ignored", "a JSON 401",
    "a 401 in the envelope, labelled text/html", "a 401 without WWW-Authenticate",
    "a 500 on valid input (any cc)", "non-JSON bodies accepted", "success with the wrong content type",
    "wrong types accepted even when they do not convert", "recipients never checked",
    "declared attachment sizes over 25 MB accepted", "a JSON body labelled text/json read as JSON",
    "500 for no recipient at all", "an empty from accepted", "an empty recipient address accepted",
]  # fmt: skip
CAUGHT = [f for f in FAULTS if f.name in SEEN_IN_TRAFFIC or f.defects]


def test_the_faults_chosen_exist() -> None:
    assert {f.name for f in CAUGHT} >= set(SEEN_IN_TRAFFIC)


def _each_fault_under_its_prefix(app: ASGIApp) -> ASGIApp:
    """One sandbox behind every fault at once: `/<n>/api/...` goes through CAUGHT[n]'s wrapper (a base
    path, which the audit finds the route behind); one sandbox for all is what keeps this cheap."""
    wrapped = {f"/{n}": fault.wrap(app) for n, fault in enumerate(CAUGHT)}

    async def routed(scope: Scope, receive: Receive, send: Send) -> None:
        prefix = "/" + scope.get("path", "/").split("/")[1]
        if scope["type"] != "http" or prefix not in wrapped:
            return await app(scope, receive, send)
        path = scope["path"][len(prefix) :]
        await wrapped[prefix]({**scope, "path": path, "raw_path": path.encode()}, receive, send)

    return routed


@pytest.fixture(scope="module")
def faulty_hars(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("audit-faulty")
    with running(strict_settings(folder), _each_fault_under_its_prefix) as url:
        return {f.name: _recorded(f"{url}/{n}", folder / f"{n}.har") for n, f in enumerate(CAUGHT)}


@pytest.mark.parametrize("fault", CAUGHT, ids=[f.name for f in CAUGHT])
def test_each_faulty_answer_is_flagged_by_its_rule(faulty_hars: dict[str, Path], fault: Fault) -> None:
    path = faulty_hars[fault.name]
    strict = audit.judge_all(traffic.read(path), "strict")
    assert fault.caught_by in {f.by for e in strict.entries for f in e.findings}, strict.terminal()
    assert strict.failed
    real = audit.judge_all(traffic.read(path), "onlyoffice")
    if fault.defects:  # the real server's known defects: deviations under its profile, not failures
        deviations = {f.by for e in real.entries for f in e.findings}
        assert deviations, real.terminal()
        assert deviations <= set(fault.defects), real.terminal()
        assert not real.failed
    else:
        assert real.failed


def test_the_command_exits_1_on_a_faulty_answer(faulty_hars: dict[str, Path], tmp_path: Path) -> None:
    path = faulty_hars["a 401 without WWW-Authenticate"]
    assert cli.main(["audit", str(path), "--report-dir", str(tmp_path)]) == 1
    written = json.loads((tmp_path / "audit.json").read_text())
    assert written["totals"]["findings"] == {"check unauthorized_carries_a_challenge": 1}


def test_the_route_is_read_from_the_spec() -> None:
    for route in spec.operation_routes():
        exchange = traffic.Exchange("PUT", f"http://h/base{route.upper()}?q=1", (), b"", 200, (), b"")
        assert exchange.route == route
    assert traffic.Exchange("PUT", f"http://h{spec.OPERATION_PATH}.yaml", (), b"", 200, (), b"").route == ""
    assert traffic.Exchange("GET", f"http://h{spec.OPERATION_PATH}", (), b"", 200, (), b"").route == ""


def _exchange(body: bytes, content_type: str, status: int, query: str = "") -> traffic.Exchange:
    """One exchange as a log holds it, answered as the sandbox answers a success."""
    answer = json.dumps({"count": 1, "response": 7, "status": 0, "statusCode": 200}).encode()
    return traffic.Exchange(
        "PUT",
        f"https://portal.example.test{SEND_PATH}{query}",
        (("Authorization", TOKEN), ("Content-Type", content_type)),
        body,
        status,
        (("Content-Type", "application/json; charset=UTF-8"),),
        answer,
    )


def test_a_query_string_is_judged_by_what_it_binds() -> None:
    body = json.dumps({"from": MAILBOX, "to": ["bob@example.org"]}).encode()
    cache_buster = audit.judge(_exchange(body, "application/json", 200, "?_=1733569200000"))
    assert cache_buster.verdict is audit.Verdict.KEEPS
    in_the_query = audit.judge(_exchange(body, "application/json", 200, "?subject=Hi"))
    assert in_the_query.verdict is audit.Verdict.LENIENT
    assert in_the_query.relied == ("from-the-query(subject)",)


def test_an_xml_body_is_not_judged_by_the_binder_and_never_refused() -> None:
    body = b"<request><from>sandbox@example.test</from><to>bob@example.org</to></request>"
    judged = audit.judge(_exchange(body, "text/xml", 200), profile="onlyoffice")
    assert judged.verdict is audit.Verdict.LENIENT
    assert judged.relied == (audit.XML_BODY,)
    assert judged.findings == ()
    assert audit.judge(_exchange(body, "text/xml", 200), profile="strict").verdict.fails("strict")


def test_a_sanitized_or_bodiless_export_is_never_red_on_a_good_server(
    first_party: tuple[Path, list[tuple[Traffic, str]]], tmp_path: Path
) -> None:
    """Browsers' "sanitized" HAR drops Authorization and cookies; some exports keep no bodies. What is
    not in the file is not judged: a good server's traffic stays green."""
    path, kinds = first_party
    document = json.loads(path.read_text())
    secret = {"authorization", "cookie", "set-cookie"}
    for entry in document["log"]["entries"]:
        for side in (entry["request"], entry["response"]):
            side["headers"] = [h for h in side["headers"] if h["name"].lower() not in secret]
    sanitized = tmp_path / "sanitized.har"
    sanitized.write_text(json.dumps(document))
    report = audit.judge_all(traffic.read(sanitized), "onlyoffice")
    assert not report.failed, report.terminal()
    assert "ignored_auth not judged" in "\n".join(report.terminal())
    for entry in document["log"]["entries"]:
        entry["request"].pop("postData", None)
        entry["response"]["content"].pop("text", None)
    bodiless = tmp_path / "bodiless.har"
    bodiless.write_text(json.dumps(document))
    report = audit.judge_all(traffic.read(bodiless), "onlyoffice")
    assert not report.failed, report.terminal()
    assert [e.recorded for e in report.entries] == [False] * len(kinds)
    # and what is there is still judged: the same file, its statuses turned 201
    for entry in document["log"]["entries"]:
        entry["response"]["status"] = 201
    bodiless.write_text(json.dumps(document))
    assert audit.judge_all(traffic.read(bodiless), "onlyoffice").failed


def test_what_a_server_sends_is_escaped_in_the_markdown_and_credentials_are_masked(tmp_path: Path) -> None:
    body = json.dumps({"from": MAILBOX, "to": ["bob@example.org"]}).encode()
    hostile = "text/html; x=<script>alert(1)</script>|`"
    exchange = traffic.Exchange(
        "PUT",
        f"https://portal.example.test{SEND_PATH}",
        (
            ("Authorization", "Basic " + base64.b64encode(b"user@example.test:pa55-word-9c1e").decode()),
            ("Content-Type", "application/json"),
        ),
        body,
        200,
        (("Content-Type", hostile), ("Set-Cookie", "asc_auth_key=session-key-77d0; path=/")),
        b"pa55-word-9c1e",
    )
    report = audit.judge_all([exchange], "onlyoffice")
    [judged] = report.entries
    assert {f.by for f in judged.findings} == {CheckId.CONTENT_TYPE_CONFORMANCE}
    md, js = report.write(tmp_path)
    page = md.read_text()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    for text in (page, js.read_text(), *report.terminal()):
        assert "pa55-word-9c1e" not in text
        assert "session-key-77d0" not in text
