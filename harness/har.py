"""HAR files of real exchanges, for the audit's tests: each request really sent, its answer as it came.

An httpx response (its `.request` too) becomes a HAR 1.2 entry with what a browser's export
holds: method, URL, headers, postData{mimeType, text}, status, headers, content{text}
(base64 when the bytes are not UTF-8).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx


def _headers(headers: httpx.Headers) -> list[dict[str, str]]:
    return [{"name": k.decode("latin-1"), "value": v.decode("latin-1")} for k, v in headers.raw]


def _content(raw: bytes, mime: str) -> dict[str, Any]:
    try:
        return {"mimeType": mime, "size": len(raw), "text": raw.decode("utf-8")}
    except UnicodeDecodeError:
        return {
            "mimeType": mime,
            "size": len(raw),
            "text": base64.b64encode(raw).decode(),
            "encoding": "base64",
        }


def entry(response: httpx.Response) -> dict[str, Any]:
    request = response.request
    body = request.content
    post = _content(body, request.headers.get("content-type", "")) if body else None
    har_request: dict[str, Any] = {
        "method": request.method,
        "url": str(request.url),
        "httpVersion": "HTTP/1.1",
        "headers": _headers(request.headers),
        "queryString": [],
        "cookies": [],
        "headersSize": -1,
        "bodySize": len(body),
    }
    if post is not None:
        har_request["postData"] = {k: v for k, v in post.items() if k != "size"}
    return {
        "startedDateTime": "2026-12-07T12:00:00.000Z",
        "time": 1,
        "request": har_request,
        "response": {
            "status": response.status_code,
            "statusText": response.reason_phrase,
            "httpVersion": "HTTP/1.1",
            "headers": _headers(response.headers),
            "cookies": [],
            "content": _content(response.content, response.headers.get("content-type", "")),
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(response.content),
        },
        "cache": {},
        "timings": {"send": 0, "wait": 1, "receive": 0},
    }


def write(path: Path, responses: Iterable[httpx.Response]) -> Path:
    entries = [entry(r) for r in responses]
    document = {"log": {"version": "1.2", "creator": {"name": "tests", "version": "1"}, "entries": entries}}
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path
