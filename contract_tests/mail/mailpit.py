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

Every answer is read streamed, within a size (a page within MAX_LISTING_BYTES, a message within
MAX_MESSAGE_BYTES) and a deadline of REQUEST_TIMEOUT for each search (all its pages) and each message;
a page must have the shape above, list no message twice, and the search at most MAX_COPIES
messages for one address. An API that breaks that raises `SinkError`: the run ends naming it.

Tested against `harness/mailpit_standin.py`, a stand-in that speaks those three calls, not against a
real Mailpit: Mailpit is a Go binary that is on no package registry this project can reach.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

import requests

from contract_tests.mail.bounds import MAX_COPIES, MAX_LISTING_BYTES, MAX_MESSAGE_BYTES, SinkError
from contract_tests.mail.catch_all import until_found
from contract_tests.settings import UsageError, masked_url
from contract_tests.terminal import shown
from contract_tests.transport import AnswerTooLarge, NoAnswer

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
            listed = self._json("/api/v1/messages", {"limit": "1"})
            if not isinstance(listed, dict) or "messages" not in listed:
                raise ValueError("no 'messages' in its answer")
        except (requests.RequestException, ValueError, SinkError) as exc:
            raise UsageError(f"MAIL_SINK: no Mailpit API at {masked_url(given)}: {shown(str(exc))}") from None

    def _get(
        self,
        path: str,
        params: dict[str, str] | None = None,
        limit: int = MAX_LISTING_BYTES,
        deadline: float = 0,
    ) -> bytes:
        """The body of one answer, read as it comes: at most `limit` bytes, by `deadline` (monotonic;
        REQUEST_TIMEOUT from now by default)."""
        deadline = deadline or time.monotonic() + self._timeout
        with self._session.get(
            self._base + path, params=params, auth=self._auth, timeout=self._timeout, stream=True
        ) as response:
            response.raise_for_status()
            chunks, size = [], 0
            # Streamed, or in slices of what the run's transport read already (bounded by it as well).
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise SinkError(self.name, f"its answer to {path} is larger than {limit} bytes; not read")
                if time.monotonic() > deadline:
                    raise SinkError(self.name, f"its answer to {path} took longer than {self._timeout} s")
                chunks.append(chunk)
        return b"".join(chunks)

    def _json(self, path: str, params: dict[str, str], deadline: float = 0) -> Any:
        try:
            return json.loads(self._get(path, params, deadline=deadline))
        except (ValueError, RecursionError) as exc:
            raise SinkError(self.name, f"its answer to {path} is not JSON: {type(exc).__name__}") from None

    def _page(self, address: str, start: int, deadline: float) -> tuple[list[str], int, int]:
        """One page of the search: the IDs that name `address` in To, Cc or Bcc, how many summaries
        it held, and the count of matching messages the API claims. A page of another shape, or a
        claim past MAX_COPIES, is a SinkError."""
        query = {"query": f'addressed:"{address}"', "start": str(start), "limit": str(PAGE)}
        page = self._json("/api/v1/search", query, deadline)
        summaries = page.get("messages") if isinstance(page, dict) else None
        count = page.get("messages_count") if isinstance(page, dict) else None
        if not isinstance(summaries, list) or type(count) is not int or count < 0 or len(summaries) > PAGE:
            raise SinkError(self.name, f"a search page is not {{messages: [up to {PAGE}], messages_count}}")
        if count > MAX_COPIES:
            raise SinkError(self.name, f"it claims {count} messages addressed to one address of this run")
        ids = []
        for summary in summaries:
            if not isinstance(summary, dict) or not isinstance(summary.get("ID"), str):
                raise SinkError(self.name, f"a message summary is not an object with an ID: {summary!r:.120}")
            named = [a for f in ("To", "Cc", "Bcc") for a in summary.get(f) or []]
            if not all(isinstance(a, dict) for a in named):
                raise SinkError(self.name, f"a summary's addresses are not objects: {summary!r:.120}")
            if address in {str(a.get("Address", "")).lower() for a in named}:
                ids.append(summary["ID"])
        return ids, len(summaries), count

    def _find(self, address: str) -> list[bytes]:
        deadline = time.monotonic() + self._timeout  # for every page of the search
        ids: list[str] = []
        start = 0
        while True:
            found, listed, count = self._page(address, start, deadline)
            if len(set(ids + found)) < len(ids) + len(found):
                raise SinkError(self.name, "its search lists one message twice")
            ids += found
            start += listed
            if not listed or start >= count:
                break
            if start > MAX_COPIES:
                raise SinkError(self.name, f"its search goes on past {MAX_COPIES} messages for one address")
        for id_ in ids:
            if id_ not in self._fetched:
                path = f"/api/v1/message/{urllib.parse.quote(id_, safe='')}/raw"
                self._fetched[id_] = _without_added_bcc(self._get(path, limit=MAX_MESSAGE_BYTES))
        return [self._fetched[id_] for id_ in ids]

    def copies(self, address: str, timeout: float) -> list[bytes]:
        failure: list[str] = []

        def find() -> list[bytes]:
            failure.clear()
            try:
                return self._find(address)
            except (NoAnswer, AnswerTooLarge) as exc:  # the run's transport bounds: no use trying again
                raise SinkError(self.name, f"{type(exc).__name__}: {exc}") from None
            except requests.RequestException as exc:  # unreachable, or an error status: tried again
                failure.append(f"{type(exc).__name__}: {exc}")
                return []

        found = until_found(find, timeout)
        if not found and failure:  # not "never delivered": the API could not be read
            raise SinkError(self.name, f"reading it failed until the wait was over: {failure[0]}")
        return found
