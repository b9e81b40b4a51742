"""A Mailpit sink: the HTTP API (v1) of Mailpit, or of a server that speaks it.

    MAIL_SINK=mailpit:http://HOST:8025    (https://, and USER:PASSWORD@ for Mailpit's basic auth)

What it relies on, from Mailpit's API v1 and its source (axllent/mailpit):
- `GET /api/v1/messages?limit=1`, once at the start: 200 and a JSON object with `messages`;
- `GET /api/v1/search?query=addressed:"<address>"&start=N&limit=N`: the summaries of the matching
  messages (`messages`, each with `ID` and `To`, `Cc`, `Bcc` lists of `{"Name", "Address"}`),
  `messages_count` the number that match. `addressed:` matches To, Cc, Bcc, From and Reply-To, as
  a substring, so each hit is checked for the exact address in To, Cc or Bcc here;
- `GET /api/v1/message/{ID}/raw`: the message as stored. Neither call marks a message read.

Mailpit stores one message per SMTP transaction, and writes the envelope recipients that no To,
Cc or Bcc header names into a `Bcc` header it puts first (`SaveToDatabase`, `SetMessageHeader`
"adds the header to the beginning"): so a Bcc recipient is found, and that first header is taken
off again before the message is compared; a Bcc header the server itself sent stays where it was
and is still caught. A server that sends one transaction per recipient would look duplicated here
(each copy names every To and Cc recipient).

Tested against `harness/mailpit_standin.py`, a stand-in that speaks those three calls, not against a
real Mailpit: Mailpit is a Go binary that is on no package registry this project can reach.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import requests

from contract_tests.settings import UsageError, masked_url
from contract_tests.stored_mail import until_found

PREFIX = "mailpit:"
PAGE = 100


def _without_added_bcc(raw: bytes) -> bytes:
    """The message without the Bcc header Mailpit put first, continuation lines included."""
    if raw[:4].lower() != b"bcc:":
        return raw
    lines = raw.split(b"\n")
    end = 1
    while end < len(lines) and lines[end][:1] in (b" ", b"\t"):
        end += 1
    return b"\n".join(lines[end:])


class Mailpit:
    name = "a Mailpit API"

    def __init__(self, given: str, session: requests.Session, request_timeout: int) -> None:
        url = given.removeprefix(PREFIX)
        parts = urllib.parse.urlsplit(url)
        self.name = f"{self.name} ({masked_url(given)})"
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"MAIL_SINK must be mailpit:http://HOST:PORT, not {masked_url(given)}")
        host = parts.netloc.rpartition("@")[2]
        self._base = urllib.parse.urlunsplit(parts._replace(netloc=host)).rstrip("/")
        self._session, self._timeout = session, request_timeout
        self._auth = (
            (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
            if parts.username is not None
            else None
        )
        self._fetched: dict[str, bytes] = {}  # ID -> message: each fetched once
        try:
            listed = self._get("/api/v1/messages", {"limit": "1"})
            if "messages" not in listed.json():
                raise ValueError("no 'messages' in its answer")
        except (requests.RequestException, ValueError) as exc:
            raise UsageError(f"MAIL_SINK: no Mailpit API at {masked_url(given)}: {exc}") from None

    def _get(self, path: str, params: dict[str, str] | None = None) -> requests.Response:
        response = self._session.get(self._base + path, params=params, auth=self._auth, timeout=self._timeout)
        response.raise_for_status()
        return response

    def _find(self, address: str) -> list[bytes]:
        ids: list[str] = []
        start = 0
        while True:
            query = {"query": f'addressed:"{address}"', "start": str(start), "limit": str(PAGE)}
            page: dict[str, Any] = self._get("/api/v1/search", query).json()
            for summary in page["messages"]:
                named = [a for f in ("To", "Cc", "Bcc") for a in summary.get(f) or []]
                if address in {str(a.get("Address", "")).lower() for a in named}:
                    ids.append(summary["ID"])
            start += len(page["messages"])
            if not page["messages"] or start >= int(page["messages_count"]):
                break
        for id_ in ids:
            if id_ not in self._fetched:
                raw = self._get(f"/api/v1/message/{urllib.parse.quote(id_, safe='')}/raw").content
                self._fetched[id_] = _without_added_bcc(raw)
        return [self._fetched[id_] for id_ in ids]

    def copies(self, address: str, timeout: float) -> list[bytes]:
        return until_found(lambda: self._find(address), timeout)
