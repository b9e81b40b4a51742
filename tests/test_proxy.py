"""`onlyoffice-contract proxy`: the generated client and a browser-like form request through it.

What the sandbox's app emitted (status, headers, body) is recorded inside it, below its HTTP server;
what the client received through the proxy must be exactly that, byte for byte, headers in order
with their duplicates; and what reached the sandbox must be what the client sent. The report the
proxy writes on stop names each leniency.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from onlyoffice_send_client import AuthenticatedClient
from onlyoffice_send_client.api.messages import send_message
from onlyoffice_send_client.models import SendMessageRequest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contract_tests import audit, cli
from contract_tests.proxy import Proxy, running
from harness.first_party import CORPUS
from harness.form_wire import FORM_TYPE, param
from harness.ports import free_port, refusing
from harness.sandboxes import MAILBOX, SEND_PATH, TOKEN, settings_in, wait_until
from harness.sandboxes import running as sandbox_running

Headers = list[tuple[bytes, bytes]]
# What the sandbox's own HTTP server (uvicorn) adds below the app, and only once: the date, its name,
# and the chunking of an answer of no declared length.
SERVERS_OWN = {b"date", b"server", b"transfer-encoding"}


@dataclass
class Wire:
    """Each exchange as the sandbox's app saw and answered it."""

    requests: list[tuple[str, Headers, bytes]] = field(default_factory=list)
    answers: list[tuple[int, Headers, bytes]] = field(default_factory=list)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def recorded(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                return await app(scope, receive, send)
            body = bytearray()
            start: dict[str, object] = {}
            answer = bytearray()

            async def receiving() -> Message:
                message = await receive()
                body.extend(message.get("body", b""))
                return message

            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    start.update(message)
                else:
                    answer.extend(message.get("body", b""))
                await send(message)

            await app(scope, receiving, sending)
            query = b"?" + scope["query_string"] if scope["query_string"] else b""
            self.requests.append(((scope["raw_path"] + query).decode(), list(scope["headers"]), bytes(body)))
            self.answers.append((int(start["status"]), list(start["headers"]), bytes(answer)))  # type: ignore[call-overload]

        return recorded


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[tuple[str, Wire]]:
    wire = Wire()
    with sandbox_running(settings_in(tmp_path, binder="onlyoffice"), wire.wrap) as url:
        yield url, wire


def _received(response: httpx.Response, content: bytes | None = None) -> tuple[int, Headers, bytes]:
    """What the client received: `content` when the client read the body itself (streamed)."""
    headers = [(k.lower(), v) for k, v in response.headers.raw]
    for name in SERVERS_OWN:  # the proxy adds none of its own
        assert [k for k, _ in headers].count(name) <= 1
    kept = [(k, v) for k, v in headers if k not in SERVERS_OWN]
    return response.status_code, kept, response.content if content is None else content


def _sent(request: httpx.Request) -> Headers:
    """The headers the client wrote, as the sandbox's app must see them: names in lower case (the ASGI
    server folds them), without Host (the upstream's) and Connection (the connection's, not the
    message's), as the proxy's docstring says."""
    return [(k.lower(), v) for k, v in request.headers.raw if k.lower() not in (b"host", b"connection")]


def _without_host(headers: Headers) -> Headers:
    return [(k, v) for k, v in headers if k != b"host"]


def test_the_generated_client_through_the_proxy_gets_the_answer_unchanged(
    upstream: tuple[str, Wire], tmp_path: Path
) -> None:
    url, wire = upstream
    proxy = Proxy(url, audit.Report("onlyoffice"), say=lambda line: None)
    seen: list[httpx.Response] = []

    def keep(response: httpx.Response) -> None:
        seen.append(response)  # its headers and request: the body is the generated client's to read

    with running(proxy) as proxied:
        client = AuthenticatedClient(
            base_url=proxied, token=TOKEN, prefix="", httpx_args={"event_hooks": {"response": [keep]}}
        )
        body = SendMessageRequest.from_dict({"from": MAILBOX, "to": ["bob@example.org"], "subject": "Via"})
        result = send_message.sync_detailed(client=client, body=body)
        refused = send_message.sync_detailed(
            client=client, body=SendMessageRequest.from_dict({"from": MAILBOX, "to": ["no address"]})
        )
        direct = httpx.put(url + SEND_PATH, content=seen[0].request.content, headers=HEADERS_OF(seen[0]))
    assert result.status_code == 200
    assert refused.status_code == 400
    contents = [result.content, refused.content]
    for response, content, answer, request in zip(
        seen, contents, wire.answers[:2], wire.requests[:2], strict=True
    ):
        assert _received(response, content) == answer  # byte for byte, headers in order
        assert request[2] == response.request.content
        assert _without_host(request[1]) == _sent(response.request)
        assert request[0] == response.request.url.raw_path.decode()
    # The direct answer to the same request: the same status and headers, the same body but its new id.
    assert direct.status_code == result.status_code
    assert [k for k, _ in _received(direct)[1]] == [k for k, _ in _received(seen[0], b"")[1]]
    id_of = json.loads(result.content)["response"]
    assert direct.content.replace(
        str(json.loads(direct.content)["response"]).encode(), str(id_of).encode()
    ) == (result.content)
    assert [e.verdict for e in proxy.report.entries] == [audit.Verdict.KEEPS, audit.Verdict.REFUSED]


def HEADERS_OF(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.request.headers.items() if k.lower() not in ("host", "content-length")}


def test_a_browser_like_form_request_through_the_proxy_and_the_report_names_its_leniencies(
    upstream: tuple[str, Wire], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, wire = upstream
    lines: list[str] = []
    proxy = Proxy(url, audit.Report("onlyoffice"), say=lines.append)
    autoreply = next(e for e in CORPUS if e.name == "the autoreply")
    browser = {
        "Accept": "application/json, text/javascript, */*; q=0.01",
        "Content-Type": FORM_TYPE,
        "Cookie": f"asc_auth_key={TOKEN}; culture=en-US",
        "X-Requested-With": "XMLHttpRequest",
        "Origin": "https://portal.example.org",
        "Accept-Language": "en-US,en;q=0.9",
        "Accept-Encoding": "gzip, deflate, br",
    }
    with running(proxy) as proxied, httpx.Client() as client:
        form = client.put(
            f"{proxied}{SEND_PATH}.json?_=1733569200000", content=param(autoreply.body), headers=browser
        )
        page = client.get(f"{proxied}/sandbox/outbox")
    assert form.status_code == 200, form.text
    assert page.status_code == 200
    assert _received(form) == wire.answers[0]
    assert wire.requests[0][2] == param(autoreply.body)
    assert wire.requests[0][0] == f"{SEND_PATH}.json?_=1733569200000"
    assert _without_host(wire.requests[0][1]) == _sent(form.request)
    assert _received(page) == wire.answers[1]
    [judged] = proxy.report.entries
    assert judged.verdict is audit.Verdict.LENIENT
    assert judged.relied == (audit.FORM_BODY, "without-brackets(to)")
    assert tuple(item.shown for item in judged.leniencies) == autoreply.form_leniencies
    assert proxy.report.passed_through == 1
    md, js = proxy.report.write(tmp_path)
    assert "form-body" in md.read_text()
    assert json.loads(js.read_text())["totals"]["leniencies"] == {"form-body": 1, "without-brackets(to)": 1}
    assert lines == [proxy.report.line(judged)]  # the live line
    for text in (md.read_text(), js.read_text(), *lines):
        assert TOKEN not in text


def test_no_upstream_is_a_502_and_nothing_is_retried(tmp_path: Path) -> None:
    with refusing() as nowhere:
        proxy = Proxy(nowhere, audit.Report("onlyoffice"), say=lambda line: None)
        with running(proxy) as proxied:
            answer = httpx.put(
                proxied + SEND_PATH, content=b"{}", headers={"Content-Type": "application/json"}
            )
    assert answer.status_code == 502
    assert b"not retried" in answer.content
    assert proxy.report.entries == []


def test_the_command_refuses_a_host_that_is_not_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["proxy", "--upstream", "http://127.0.0.1:9", "--host", "0.0.0.0"]) == 4
    assert "loopback only" in capsys.readouterr().err
    assert cli.main(["proxy", "--upstream", "ftp://example.org"]) == 4
    assert cli.main(["proxy"]) == 4  # --upstream is required


@pytest.mark.subprocess
def test_the_command_writes_the_report_on_ctrl_c_and_exits_by_it(
    upstream: tuple[str, Wire], tmp_path: Path
) -> None:
    url, _ = upstream
    port = free_port()
    command = [sys.executable, "-m", "contract_tests", "proxy", "--upstream", url, "--port", str(port)]
    proxy = subprocess.Popen(
        [*command, "--report-dir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_until(lambda: _listening(port))
        lenient = {"from": MAILBOX, "to": "bob@example.org", "fileLinksShareMode": "2"}
        headers = {"Authorization": TOKEN, "Content-Type": "application/json"}
        answer = httpx.put(
            f"http://127.0.0.1:{port}{SEND_PATH}", content=json.dumps(lenient), headers=headers
        )
        assert answer.status_code == 200
    finally:
        proxy.send_signal(signal.SIGINT)
        out, _ = proxy.communicate(timeout=30)
    assert proxy.returncode == 0, out
    assert out.count("lenient (relies on lone-value(to), converted(fileLinksShareMode))") == 1  # live, once
    assert "keeps the contract" in out
    assert json.loads((tmp_path / "audit.json").read_text())["totals"]["verdicts"] == {"lenient": 1}
    assert TOKEN not in out


def _listening(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
    except httpx.TransportError:
        return False
    return True


def test_a_body_past_the_bound_is_forwarded_whole_and_not_judged_and_chunks_stay_chunks(
    upstream: tuple[str, Wire],
) -> None:
    url, wire = upstream
    proxy = Proxy(url, audit.Report("onlyoffice"), say=lambda line: None, max_request=64)
    body = json.dumps({"from": MAILBOX, "to": ["bob@example.org"], "subject": "x" * 200}).encode()
    headers = {"Authorization": TOKEN, "Content-Type": "application/json"}

    def in_chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked, as a streaming client does
        yield body[:50]
        yield body[50:]

    with running(proxy) as proxied, httpx.Client() as client:
        whole = client.put(proxied + SEND_PATH, content=body, headers=headers)
        chunked = client.put(proxied + SEND_PATH, content=in_chunks(), headers=headers)
    assert (whole.status_code, chunked.status_code) == (200, 200)
    assert [request[2] for request in wire.requests] == [body, body]
    assert dict(wire.requests[1][1])[b"transfer-encoding"] == b"chunked"
    assert proxy.report.entries == []
    assert proxy.not_judged == 2
