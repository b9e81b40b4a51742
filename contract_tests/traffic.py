"""Recorded traffic, read: a HAR file or a JSON-lines log, as request/answer pairs (`Exchange`).

HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): `log.entries[]`, each with
`request{method, url, headers[{name, value}], postData{mimeType, text | params}}` and
`response{status, headers, content{text, encoding}}`; `encoding: "base64"` is decoded.
Browsers' HTTP/2 pseudo-headers (`:authority`) are left out.

JSON lines (easy to write from any log, and `to_line` writes it):
one object a line,
    {"method": "PUT", "url": "https://portal.example/api/2.0/mail/messages/send.json",
     "request_headers": [["Content-Type", "application/json"]], "request_body": "{...}",
     "status": 200, "response_headers": [["Content-Type", "application/json; charset=UTF-8"]],
     "response_body": "{...}"}
headers as [name, value] pairs (or an object); a body that is not text as `request_body_base64`
or `response_body_base64` instead. Blank lines are skipped.
Anything else is `NotTraffic`: the command's usage error (exit 4).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from onlyoffice_contract import spec

Headers = tuple[tuple[str, str], ...]
_ROUTES = tuple(route.lower() for route in spec.operation_routes())


class NotTraffic(Exception):
    """The file is neither a HAR nor a JSON-lines log of exchanges (the message says where it went wrong)."""


@dataclass(frozen=True)
class Exchange:
    """One request and the answer it got, as recorded."""

    method: str
    url: str
    request_headers: Headers
    request_body: bytes
    status: int
    response_headers: Headers
    response_body: bytes
    # False when the file says there was a body but holds none (a HAR exported without content, or
    # "sanitized"): the body is then not judged, rather than judged empty.
    request_recorded: bool = True
    answer_recorded: bool = True

    @property
    def path(self) -> str:
        """The URL's path, percent-decoded, repeated slashes folded (no query: it may hold a token)."""
        return re.sub("/{2,}", "/", unquote(urlsplit(self.url).path))

    @property
    def route(self) -> str:
        """The send call's route this path ends with (`/api/2.0/mail/messages/send.json`), or ""."""
        if self.method.upper() != spec.OPERATION_METHOD.upper():
            return ""
        path = self.path.lower()
        return next((r for r in spec.operation_routes() if path.endswith(r.lower())), "")

    @property
    def query(self) -> bytes:
        return urlsplit(self.url).query.encode()

    def request_header(self, name: str) -> str | None:
        return _header(self.request_headers, name)

    def response_header(self, name: str) -> str | None:
        return _header(self.response_headers, name)


def _header(headers: Headers, name: str) -> str | None:
    values = [v for k, v in headers if k.lower() == name.lower()]
    return ", ".join(values) if values else None


def is_send_call(method: str, path: str) -> bool:
    """Whether a request goes to the send call by any of its routes (behind any base path)."""
    return method.upper() == spec.OPERATION_METHOD.upper() and path.lower().endswith(_ROUTES)


# -- HAR ---------------------------------------------------------------------------------------------


def _pairs(value: Any, where: str) -> Headers:
    if isinstance(value, dict):
        return tuple((str(k), str(v)) for k, v in value.items())
    if not isinstance(value, list):
        raise NotTraffic(f"{where}: headers are neither a list nor an object")
    found = []
    for item in value:
        if isinstance(item, dict) and "name" in item:
            found.append((str(item["name"]), str(item.get("value", ""))))
        elif isinstance(item, list | tuple) and len(item) == 2:
            found.append((str(item[0]), str(item[1])))
        else:
            raise NotTraffic(f"{where}: a header is neither {{name, value}} nor [name, value]")
    return tuple((k, v) for k, v in found if not k.startswith(":"))


def _decoded(text: Any, encoding: Any, where: str) -> bytes:
    if text is None:
        return b""
    if not isinstance(text, str):
        raise NotTraffic(f"{where}: a body is not text")
    if encoding == "base64":
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise NotTraffic(f"{where}: a base64 body does not decode") from None
    return text.encode("utf-8", "surrogatepass")


def _har_entry(entry: Any, where: str) -> Exchange:
    if not isinstance(entry, dict) or not isinstance(entry.get("request"), dict):
        raise NotTraffic(f"{where}: an entry without a request")
    request, response = entry["request"], entry.get("response") or {}
    post = request.get("postData") or {}
    body = _decoded(post.get("text"), post.get("encoding"), where)
    if not body and post.get("params"):  # HAR allows the params alone, for a form
        body = urlencode([(p.get("name", ""), p.get("value", "")) for p in post["params"]]).encode()
    headers = _pairs(request.get("headers", []), where)
    if post.get("mimeType") and _header(headers, "Content-Type") is None:
        headers = (*headers, ("Content-Type", str(post["mimeType"])))
    content = response.get("content") or {}
    try:
        status = int(response.get("status", 0))
    except (TypeError, ValueError):
        raise NotTraffic(f"{where}: a status that is not a number") from None
    return Exchange(
        method=str(request.get("method", "")),
        url=str(request.get("url", "")),
        request_headers=headers,
        request_body=body,
        status=status,
        response_headers=_pairs(response.get("headers", []), where),
        response_body=_decoded(content.get("text"), content.get("encoding"), where),
        request_recorded=bool(body) or not _declared_size(request.get("bodySize")),
        answer_recorded="text" in content or not _declared_size(content.get("size")),
    )


def _declared_size(size: Any) -> bool:
    """Whether a HAR size says there were bytes (-1 and absent say nothing)."""
    return isinstance(size, int) and size > 0


# -- JSON lines --------------------------------------------------------------------------------------


def _body(record: dict[str, Any], name: str, where: str) -> bytes:
    if name + "_base64" in record:
        return _decoded(record[name + "_base64"], "base64", where)
    return _decoded(record.get(name), None, where)


def _line(record: Any, where: str) -> Exchange:
    if not isinstance(record, dict) or "method" not in record or "status" not in record:
        raise NotTraffic(f"{where}: not an exchange (an object with method, url, status...)")
    try:
        status = int(record["status"])
    except (TypeError, ValueError):
        raise NotTraffic(f"{where}: a status that is not a number") from None
    return Exchange(
        method=str(record["method"]),
        url=str(record.get("url", "")),
        request_headers=_pairs(record.get("request_headers", []), where),
        request_body=_body(record, "request_body", where),
        status=status,
        response_headers=_pairs(record.get("response_headers", []), where),
        response_body=_body(record, "response_body", where),
        answer_recorded=any(k in record for k in ("response_body", "response_body_base64")),
    )


def to_line(exchange: Exchange) -> str:
    """One exchange as a JSON line of the shape above (bodies as text when they are UTF-8)."""
    record: dict[str, Any] = {
        "method": exchange.method,
        "url": exchange.url,
        "request_headers": [list(h) for h in exchange.request_headers],
        "status": exchange.status,
        "response_headers": [list(h) for h in exchange.response_headers],
    }
    for name, raw in (("request_body", exchange.request_body), ("response_body", exchange.response_body)):
        try:
            record[name] = raw.decode("utf-8")
        except UnicodeDecodeError:
            record[name + "_base64"] = base64.b64encode(raw).decode()
    return json.dumps(record)


# -- either ------------------------------------------------------------------------------------------


def parse(text: str, name: str = "the file") -> list[Exchange]:
    """The exchanges of a HAR document or a JSON-lines log; NotTraffic if it is neither."""
    stripped = text.strip()
    if not stripped:
        raise NotTraffic(f"{name} is empty")
    try:
        document = json.loads(stripped)
    except ValueError:
        document = None  # several lines: JSON lines, or nothing
    except RecursionError:
        raise NotTraffic(f"{name}: nested too deeply") from None
    if isinstance(document, dict) and "log" in document:
        entries = document["log"].get("entries") if isinstance(document["log"], dict) else None
        if not isinstance(entries, list):
            raise NotTraffic(f"{name}: a HAR without log.entries")
        return [_har_entry(e, f"{name}, entry {i + 1}") for i, e in enumerate(entries)]
    return list(_lines(stripped.splitlines(), name))


def _lines(lines: Iterable[str], name: str) -> Iterable[Exchange]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            raise NotTraffic(f"{name}, line {number}: neither a HAR nor a JSON-lines log") from None
        yield _line(record, f"{name}, line {number}")


def read(path: Path) -> list[Exchange]:
    try:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        raise NotTraffic(f"{path}: {exc.strerror or exc}") from None
    return parse(text, str(path))
