"""A stand-in for Mailpit: an SMTP server that stores what it is given, and the three calls of Mailpit's
HTTP API (v1) that `contract_tests/mail/mailpit.py` reads, with Mailpit's JSON field names.

Mailpit itself cannot be installed here (a Go binary on no package registry this project reaches), so
the Mailpit sink is tested against this. What it copies from Mailpit (axllent/mailpit, `smtpd` and
`storage`): one stored message per SMTP transaction; a Return-Path header from MAIL FROM; the
envelope recipients that no To, Cc or Bcc header names written into a Bcc header put first in the
message; summaries with `ID`, `MessageID`, `From`, `To`, `Cc`, `Bcc`, `ReplyTo` (`{"Name",
"Address"}`), `Subject`, `Created`; newest first; `start`/`limit` paging; the search terms `to:`,
`cc:`, `bcc:` and `addressed:` as case-insensitive substrings of those lists. Any other search term
is answered 400 here (Mailpit would search the text): what the sink relies on must be emulated.
"""

from __future__ import annotations

import json
import secrets
import shlex
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import getaddresses, parseaddr
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from harness.ports import free_port

_FIELDS = {"to": ("To",), "cc": ("Cc",), "bcc": ("Bcc",), "addressed": ("To", "From", "Cc", "Bcc", "ReplyTo")}


def _addresses(header: list[str]) -> list[dict[str, str]]:
    return [{"Name": name, "Address": address} for name, address in getaddresses(header) if address]


@dataclass
class _Stored:
    raw: bytes
    summary: dict[str, Any]


@dataclass
class Store:
    messages: list[_Stored] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        head = message_from_bytes(raw, policy=policy.compat32)
        named = {a.lower() for _, a in getaddresses(head.get_all("To", []) + head.get_all("Cc", []))}
        named |= {a.lower() for _, a in getaddresses(head.get_all("Bcc", []))}
        missing = [r for r in envelope.rcpt_tos if r.lower() not in named]
        if head.get("Return-Path", "").strip("<>") != envelope.mail_from:
            raw = f"Return-Path: <{envelope.mail_from}>\r\n".encode() + raw
        if missing and head.get("Bcc") is None:
            raw = f"Bcc: {', '.join(missing)}\r\n".encode() + raw
        stored = message_from_bytes(raw, policy=policy.compat32)
        sender = parseaddr(stored.get("From", ""))
        summary = {
            "ID": secrets.token_urlsafe(16),
            "MessageID": stored.get("Message-ID", "").strip().strip("<>"),
            "Read": False,
            "From": {"Name": sender[0], "Address": sender[1]},
            "To": _addresses(stored.get_all("To", [])),
            "Cc": _addresses(stored.get_all("Cc", [])),
            "Bcc": _addresses(stored.get_all("Bcc", [])),
            "ReplyTo": _addresses(stored.get_all("Reply-To", [])),
            "Subject": str(stored.get("Subject", "")),
            "Created": datetime.now(UTC).isoformat(),
            "Tags": [],
            "Size": len(raw),
            "Attachments": 0,
            "Snippet": "",
        }
        with self._lock:
            self.messages.insert(0, _Stored(raw, summary))  # newest first
        return "250 OK"

    def _matches(self, query: str) -> list[_Stored]:
        terms = []
        for term in shlex.split(query):
            kind, _, value = term.partition(":")
            if kind.lower() not in _FIELDS or not value:
                raise ValueError(f"search term {term!r} is not emulated by the stand-in")
            terms.append((_FIELDS[kind.lower()], value.lower()))
        with self._lock:
            found = list(self.messages)
        return [
            m
            for m in found
            if all(any(value in json.dumps(m.summary[f]).lower() for f in fields) for fields, value in terms)
        ]

    def _page(self, request: Request, found: list[_Stored]) -> Response:
        start, limit = int(request.query_params.get("start", 0)), int(request.query_params.get("limit", 50))
        with self._lock:
            total = len(self.messages)
        return JSONResponse(
            {
                "total": total,
                "unread": total,
                "messages_count": len(found),
                "messages_unread": len(found),
                "start": start,
                "tags": [],
                "messages": [m.summary for m in found[start : start + limit]],
            }
        )

    async def list(self, request: Request) -> Response:
        with self._lock:
            found = list(self.messages)
        return self._page(request, found)

    async def search(self, request: Request) -> Response:
        query = request.query_params.get("query", "").strip()
        if not query:
            return PlainTextResponse("Error: no search query", status_code=400)
        try:
            return self._page(request, self._matches(query))
        except ValueError as exc:
            return PlainTextResponse(str(exc), status_code=400)

    async def raw(self, request: Request) -> Response:
        with self._lock:
            found = [m for m in self.messages if m.summary["ID"] == request.path_params["id"]]
        if not found:
            return PlainTextResponse("Message not found", status_code=404)
        return Response(found[0].raw, media_type="text/plain")


@dataclass(frozen=True)
class Standin:
    smtp: int  # where to send mail
    url: str  # the API's root: MAIL_SINK=mailpit:<url>
    store: Store


@contextmanager
def running() -> Iterator[Standin]:
    store = Store()
    app = Starlette(
        routes=[
            Route("/api/v1/messages", store.list),
            Route("/api/v1/search", store.search),
            Route("/api/v1/message/{id}/raw", store.raw),
        ]
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    smtp_port = free_port()
    controller = Controller(store, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the Mailpit stand-in did not start")
            thread.join(0.01)
        yield Standin(smtp_port, f"http://127.0.0.1:{sock.getsockname()[1]}", store)
    finally:
        server.should_exit = True
        thread.join()
        controller.stop()
        sock.close()
