"""The real server's response envelope, as Starlette responses; a Problem becomes the error envelope.

The envelope is JSON, or XML for the `.xml` and `.tml` routes (JsonNetSerializer.RespondTo).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from starlette.responses import Response

from onlyoffice_contract import facts, spec
from onlyoffice_contract.binder import JSON_TYPE as JSON_MEDIA
from onlyoffice_contract.facts import RefusalId
from onlyoffice_sandbox.problems import Problem
from onlyoffice_sandbox.web import fast_path

JSON_TYPE = "application/json; charset=UTF-8"
XML_TYPE = "text/xml; charset=UTF-8"
XML_SUFFIXES = spec.XML_SUFFIXES  # the routes JsonNetSerializer answers in XML (GetSupportedExtensions)
# What XML 1.0 cannot hold: the real server's XmlWriter would throw on it; the sandbox writes U+FFFD.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def wants_xml(path: str, content_type: str) -> bool:
    """JsonNetSerializer.IsXmlRequest: the path's extension (from its last '.') is `.xml` or `.tml`
    and the request's media type is not `application/json` (parameters aside)."""
    extension = path[path.rfind(".") :] if "." in path else ""
    return extension in XML_SUFFIXES and content_type.partition(";")[0].strip() != JSON_MEDIA


def _element(parent: ET.Element, name: str, value: Any) -> None:
    # Newtonsoft's XmlNodeConverter: an object is an element of elements, a value its text.
    child = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _element(child, key, item)
    else:
        child.text = _NOT_XML.sub("\ufffd", str(value))


def _xml(payload: dict[str, Any]) -> bytes:
    """The envelope as the real server writes it in XML: its JSON read back by XmlNodeConverter under
    a root `result` (`{"result": <json>}`), written without a declaration or formatting."""
    root = ET.Element("result")
    for key, value in payload.items():
        _element(root, key, value)
    return ET.tostring(root, encoding="unicode").encode()


def _json(payload: dict[str, Any], status: int, xml: bool = False) -> Response:
    if xml:
        return Response(_xml(payload), status_code=status, media_type=XML_TYPE)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type=JSON_TYPE)


LENIENCY_HEADER = "X-Sandbox-Leniency"
MOST_HEADERS = 20  # more leniencies than that are on the outbox row, all of them


def success(message_id: int, leniencies: tuple[str, ...] = (), xml: bool = False) -> Response:
    """The success envelope; each leniency the request needed in an X-Sandbox-Leniency header of its own."""
    if xml:  # in the order of ApiStandartResponce's DataMember Order: count, status, statusCode, response
        payload = {"count": 1, "status": 0, "statusCode": 200, "response": message_id}
        response = _json(payload, 200, xml=True)
    else:
        response = Response(fast_path.success_body(message_id), status_code=200, media_type=JSON_TYPE)
    shown = list(leniencies[:MOST_HEADERS])
    if len(leniencies) > MOST_HEADERS:
        shown[-1] = f"{len(leniencies) - MOST_HEADERS + 1} more: see the message in /sandbox/outbox"
    for note in shown:
        # Notes are ASCII by construction (values in them are JSON-escaped); a header must never break.
        text = note.encode("ascii", "replace").decode()
        response.headers.append(LENIENCY_HEADER, "".join(c if c.isprintable() else " " for c in text))
    return response


def failure(problem: Problem, xml: bool = False) -> Response:
    error = {"message": problem.message, "hresult": problem.hresult, "data": {}}
    return _json({"status": 1, "statusCode": problem.status, "error": error}, problem.status, xml)


def empty(status: int) -> Response:
    """What the real server answers for the portal's state, before routing and authentication
    (Global.asax.cs Application_BeginRequest): the status and Response.End(), no body at all."""
    return Response(b"", status_code=status, media_type=UNAUTHORIZED_TYPE)


# The real server's 401 (ErrorHttpHandler.cs) writes the text and sets no content type: ASP.NET's default.
UNAUTHORIZED_TYPE = "text/html; charset=utf-8"


def unauthorized(host: str, had_authorization: bool) -> Response:
    # Bare text, not the envelope: the real server's auth handler answers before the API layer.
    # The challenge is Basic's: ApiRouteHandler asks the authorizers in their order (cookie, Basic,
    # Bearer) and stops at the first whose OnAuthorizationFailed answers, which is Basic's.
    headers = {"WWW-Authenticate": f'Basic Realm="{host}"'} if had_authorization else {}
    text = facts.refusal(RefusalId.UNAUTHORIZED).message.encode()
    return Response(text, status_code=401, media_type=UNAUTHORIZED_TYPE, headers=headers)
