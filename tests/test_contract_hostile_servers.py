"""The contract suite against hostile and broken servers (issue 14, findings 13 to 15).

Each run must end in a clear failure (exit 1, or 4 for a setting it cannot use), with the key
in neither the output nor the JUnit report, and with MAX_SENDS held.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from _pytest._io.saferepr import saferepr

from contract_tests.redact import MASK, Redactor
from contract_tests.settings import UsageError, load
from contract_tests.transport import is_send_call
from harness.asgi import Headers, Seen, mounted_under, on_responses, recording
from harness.faulty_sandboxes import strict_settings
from harness.sandboxes import TOKEN, running
from harness.scripted_server import Received, Reply, ScriptedServer
from harness.suite import SuiteRun, run_suite
from onlyoffice_contract import spec

QUICK = {"SEED": "3", "MAX_EXAMPLES": "10"}
SENDS = re.compile(r"contract suite: (\d+) requests to the send call")


def assert_key_never_shown(run: SuiteRun) -> None:
    assert run.junit, "no JUnit report was written"
    assert TOKEN not in run.output
    assert TOKEN not in run.junit


def assert_every_send_counted(run: SuiteRun, server: ScriptedServer) -> None:
    """The suite's count, which MAX_SENDS caps, is every send the server received."""
    counted = SENDS.search(run.output)
    assert counted, run.output[-2000:]
    received = [r for r in server.received if r.method == "PUT" and spec.OPERATION_PATH in r.path]
    assert int(counted[1]) == len(received) > 0


SUCCESS = Reply.envelope({"count": 1, "response": 5, "status": 0, "statusCode": 200})


def after_preflight(reply: Reply, times: int = 3) -> Callable[[Received], Reply]:
    """A valid answer to the pre-run check's sends (two, under strict), then `reply` `times` times: the
    run itself meets it (each costs REQUEST_TIMEOUT or more), then valid answers again."""
    seen = itertools.count()
    return lambda request: reply if 2 <= next(seen) < 2 + times else SUCCESS


@pytest.mark.suite_run
def test_a_server_that_drops_every_connection(tmp_path: Path) -> None:
    # pytest shows the arguments of the frames it prints: requests' `headers`, the key among them.
    with ScriptedServer().running() as server:
        server.reply = Reply(drop=True)
        run = run_suite(tmp_path, BASE_URL=server.url, **QUICK)
    assert run.returncode == 4, run.output[-3000:]  # the pre-run check: nothing to test there
    assert "cannot reach the server: Remote end closed connection without response" in run.output
    assert_key_never_shown(run)
    assert_every_send_counted(run, server)


def _echo_the_key(status: int, headers: Headers, body: bytes, request: Headers) -> tuple[int, Headers, bytes]:
    """A 400 becomes a 500 that quotes the request's Authorization header back."""
    if status != 400:
        return status, headers, body
    key = dict(request).get(b"authorization", b"")
    return 500, [(b"content-type", b"text/plain")], b"Internal error. You sent Authorization: " + key


@pytest.mark.suite_run
def test_a_server_that_echoes_the_key_in_its_answers(tmp_path: Path) -> None:
    with running(strict_settings(tmp_path), on_responses(_echo_the_key)) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, **QUICK)
    assert run.returncode == 1, run.output[-3000:]
    assert "Server error" in run.output
    # The failure quotes the answer, the key masked where it was.
    assert f"You sent Authorization: {MASK}" in run.output
    assert f"You sent Authorization: {MASK}" in run.junit
    assert_key_never_shown(run)


@pytest.mark.suite_run
@pytest.mark.parametrize(
    "reply",
    [
        Reply(hang=True),
        Reply(body=b'{"count": 1, ', filler=10_000, drip=0.2),
        Reply(raw=b"HTTP/1.1 200 OK\r\nX-Slow: " + b"." * 10_000, drip=0.2),
    ],
    ids=["silent", "trickling its body", "trickling its headers"],
)
def test_a_server_that_does_not_answer_in_time(tmp_path: Path, reply: Reply) -> None:
    # A trickle never lets a single read time out: only a deadline for the whole request ends it.
    with ScriptedServer().running() as server:
        server.reply = after_preflight(reply)
        run = run_suite(tmp_path, BASE_URL=server.url, REQUEST_TIMEOUT="1", **QUICK)
    assert run.returncode == 1, run.output[-3000:]
    assert "no complete answer within REQUEST_TIMEOUT=1 s" in run.output
    assert_key_never_shown(run)
    assert_every_send_counted(run, server)


@pytest.mark.suite_run
def test_a_huge_answer_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    huge = 300 * 2**20
    with ScriptedServer().running() as server:
        server.reply = after_preflight(
            Reply(body=b'{"count": 1, "response": 5, "status": 0, "statusCode": 200}', filler=huge)
        )
        run = run_suite(tmp_path, BASE_URL=server.url, **QUICK)
    assert run.returncode == 1, run.output[-3000:]
    assert "is larger than 1048576 bytes, the most the suite reads" in run.output
    # The server could write no more than what the suite read and the sockets buffered: less than
    # one whole answer, over every request of the run.
    assert server.bytes_sent < huge, server.bytes_sent
    assert run.peak_rss_mb < 400, run.peak_rss_mb
    assert_key_never_shown(run)
    assert_every_send_counted(run, server)


@pytest.mark.suite_run
def test_a_redirect_to_another_origin_is_not_followed(tmp_path: Path) -> None:
    with ScriptedServer().running() as elsewhere, ScriptedServer().running() as server:
        elsewhere.reply = Reply.envelope({"count": 1, "response": 5, "status": 0, "statusCode": 200})
        seen = itertools.count()
        server.reply = lambda request: (
            SUCCESS
            if next(seen) < 2
            else Reply(status=307, headers={"Location": elsewhere.url + request.path})
        )
        run = run_suite(tmp_path, BASE_URL=server.url, **QUICK)
    assert len(server.received) > 2  # the suite did send, past the pre-run check, and was pointed elsewhere
    assert elsewhere.received == []
    assert run.returncode == 1, run.output[-3000:]
    assert f"the server answered 307 redirecting to {elsewhere.url}" in run.output
    assert_key_never_shown(run)
    assert_every_send_counted(run, server)


def sends_seen(seen: list[Seen]) -> int:
    return sum(1 for s in seen if s.method == "PUT" and spec.OPERATION_PATH in s.path)


def merging_slashes(app: Any) -> Any:
    """A proxy that merges repeated slashes in the path (nginx's `merge_slashes on`, its default)."""

    async def merged(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            path = re.sub("/{2,}", "/", scope["path"])
            scope = {**scope, "path": path, "raw_path": path.encode("latin-1")}
        await app(scope, receive, send)

    return merged


@pytest.mark.suite_run
@pytest.mark.parametrize("base", ["/honest", "/honest/", "//honest"])
def test_max_sends_holds_under_a_base_path(tmp_path: Path, base: str) -> None:
    """However the base path is spelled, every send is counted: the pre-run check's ones too."""
    seen: list[Seen] = []
    honest = lambda app: recording(seen)(merging_slashes(mounted_under("/honest")(app)))  # noqa: E731
    with running(strict_settings(tmp_path), honest) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url + base, MAX_SENDS="5", **QUICK)
    assert run.returncode == 1, run.output[-3000:]
    assert "usage: MAX_SENDS=5 requests were sent" in run.output
    assert sends_seen(seen) == 5


@pytest.mark.suite_run
def test_a_conforming_server_under_a_base_path_passes_and_every_send_is_counted(tmp_path: Path) -> None:
    seen: list[Seen] = []
    honest = lambda app: recording(seen)(mounted_under("/honest")(app))  # noqa: E731
    with running(strict_settings(tmp_path), honest) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url + "/honest/", **QUICK)
    assert run.returncode == 0, run.output[-3000:]
    counted = SENDS.search(run.output)
    assert counted, run.output[-2000:]
    assert int(counted[1]) == sends_seen(seen) > 100


@pytest.mark.suite_run
@pytest.mark.parametrize(
    ("ending", "embedded"),
    [("\n", False), ("\r\n", False), (" ", False), ("\x1b", False), ("\n", True)],
    ids=["LF", "CRLF", "space", "ESC", "LF, embedded"],
)
def test_an_api_key_that_cannot_be_sent_is_a_usage_error_that_does_not_show_it(
    tmp_path: Path, ending: str, embedded: bool
) -> None:
    target = {} if embedded else {"BASE_URL": "http://127.0.0.1:9"}
    run = run_suite(tmp_path, API_KEY=TOKEN + ending, **target)
    assert run.returncode == 4, run.output[-3000:]
    assert "usage: API_KEY holds a line break, a control character" in run.output
    assert TOKEN not in run.output


# -- the parts, one at a time --------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "counted"),
    [
        ("PUT", "http://h/api/2.0/mail/messages/send", True),
        ("PUT", "http://h/honest/api/2.0/mail/messages/send", True),
        ("PUT", "http://h/api/2.0/mail/messages/send.json", True),
        ("PUT", "http://h/api/2.0/mail/messages/send/", True),
        ("PUT", "http://h//api//2.0/mail/messages/send", True),
        ("PUT", "http://h/API/2.0/Mail/Messages/Send.xml", True),
        ("PUT", "http://h/api/2.0/mail/messages/%73end?x=1", True),
        ("put", "http://h/api/2.0/mail/messages/send", True),
        ("POST", "http://h/api/2.0/mail/messages/send", False),
        ("PUT", "http://h/api/2.0/mail/messages", False),
    ],
)
def test_what_counts_as_a_send(method: str, url: str, counted: bool) -> None:
    assert is_send_call(requests.Request(method, url).prepare()) is counted


SECRET = 'tok-5ecret"c4n4ry\\8f2b+0123456789/abcdef'
SHOWN = {
    "as it is": lambda key: f"key={key};",
    "in a repr": lambda key: repr({"Authorization": key}),
    "in JSON": lambda key: json.dumps({"Authorization": key}),
    "in a URL": lambda key: "https://h/?key=" + quote(key, safe=""),
    # pytest shows frame arguments through saferepr, which cuts a long string around "...".
    "cut by saferepr": lambda key: saferepr({"Authorization": key, "Accept": "*/*"}, maxsize=30),
    "cut by saferepr, shorter": lambda key: saferepr({"Authorization": key}, maxsize=16),
    "cut by saferepr, its start shown": lambda key: saferepr([key, "x" * 60], maxsize=50),
}


@pytest.mark.parametrize("show", SHOWN.values(), ids=SHOWN.keys())
def test_the_redactor_masks_the_key_as_each_layer_shows_it(show: Callable[[str], str]) -> None:
    text = show(SECRET)
    masked = Redactor(SECRET).text(text)
    assert MASK in masked
    pieces = {SECRET[i : i + 5] for i in range(len(SECRET) - 4)}
    assert any(piece in text for piece in pieces)  # the text did show some of the key
    assert not [piece for piece in pieces if piece in masked], masked


def test_the_settings_refuse_a_key_with_a_newline_without_showing_it() -> None:
    with pytest.raises(UsageError) as caught:
        load({"API_KEY": TOKEN + "\n"})
    assert TOKEN not in str(caught.value)
    assert load({"API_KEY": "Basic dXNlcjpwYXNz"}).api_key.reveal() == "Basic dXNlcjpwYXNz"
