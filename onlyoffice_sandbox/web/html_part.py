"""A message's HTML part for the viewer: its `cid:` links pointed at the parts they name, and a
check of what mail clients will not show (tags, attributes, `cid:` links that name no part).

The check is a reader's warning, not a verdict: the lists below are what the common clients
(Gmail, Outlook, Apple Mail) strip or never run, as caniemail.com records them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

from onlyoffice_sandbox.mailparse import Attachment

# A `cid:` URL in an attribute or a CSS url(): up to the quote, space, bracket or parenthesis after it.
CID_URL = re.compile(r"""\bcid:([^"'\s<>()]+)""", re.IGNORECASE)

UNSUPPORTED_TAGS = {
    "script": "scripts never run in mail clients",
    "iframe": "frames are removed by mail clients",
    "frame": "frames are removed by mail clients",
    "frameset": "frames are removed by mail clients",
    "object": "plug-ins are removed by mail clients",
    "embed": "plug-ins are removed by mail clients",
    "applet": "plug-ins are removed by mail clients",
    "form": "forms are disabled or removed by Gmail and Outlook",
    "input": "form controls are disabled or removed by Gmail and Outlook",
    "button": "form controls are disabled or removed by Gmail and Outlook",
    "select": "form controls are disabled or removed by Gmail and Outlook",
    "textarea": "form controls are disabled or removed by Gmail and Outlook",
    "video": "video is not played by Gmail or Outlook",
    "audio": "audio is not played by Gmail or Outlook",
    "svg": "inline SVG is not shown by Gmail or Outlook",
    "link": "linked stylesheets are not loaded by Gmail",
    "base": "<base> is ignored or removed by mail clients",
    "meta": "<meta> (refresh, viewport) is ignored by mail clients",
}
UNSUPPORTED_ATTRIBUTES = {
    "srcset": "srcset is not supported by Gmail or Outlook",
    "contenteditable": "editing is not possible in a mail client",
}
EVENT_HANDLER = "event handlers (on...) never run in mail clients"
SCRIPT_URL = "javascript: links are removed by mail clients"
BROKEN_CID = "names no part of the message: the image or link shows broken"
MOST_EXAMPLES = 3
# html.parser is pure Python: a body past this is checked in its first part only, and says so.
CHECKED_CHARS = 1_000_000


@dataclass(frozen=True)
class Finding:
    what: str  # `<script>`, `onclick`, `cid:logo@x`
    why: str
    count: int
    examples: tuple[str, ...] = ()  # where it was: the first few elements


def inline_parts(parts: Iterable[Attachment]) -> dict[str, int]:
    """The message's parts by Content-ID, without its angle brackets, in lower case: the index of each."""
    found: dict[str, int] = {}
    for part in parts:
        content_id = part.content_id.strip().strip("<>").strip().lower()
        if content_id:
            found.setdefault(content_id, part.index)
    return found


def cid_of(url_part: str) -> str:
    """The Content-ID a `cid:` URL names (RFC 2392: URL-encoded), as `inline_parts` keys it."""
    return unquote(url_part).strip().strip("<>").lower()


def point_cids(html: str, parts: dict[str, int], url_of: Callable[[int], str]) -> str:
    """The HTML with each `cid:` URL that names a part replaced by that part's URL; the others kept."""

    def replaced(match: re.Match[str]) -> str:
        index = parts.get(cid_of(match[1]))
        return match[0] if index is None else url_of(index)

    return CID_URL.sub(replaced, html)


class _Checker(HTMLParser):
    def __init__(self, parts: dict[str, int]) -> None:
        super().__init__(convert_charrefs=True)
        self.parts = parts
        self.found: dict[tuple[str, str], list[str]] = {}

    def _note(self, what: str, why: str, where: str) -> None:
        self.found.setdefault((what, why), []).append(where)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNSUPPORTED_TAGS:
            self._note(f"<{tag}>", UNSUPPORTED_TAGS[tag], f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self._note(name, EVENT_HANDLER, f"<{tag} {name}>")
            elif name in UNSUPPORTED_ATTRIBUTES:
                self._note(name, UNSUPPORTED_ATTRIBUTES[name], f"<{tag} {name}>")
            if value and value.strip().lower().startswith("javascript:"):
                self._note("javascript:", SCRIPT_URL, f"<{tag} {name}>")
            for match in CID_URL.finditer(value or ""):
                if cid_of(match[1]) not in self.parts:
                    self._note(match[0][:200], BROKEN_CID, f"<{tag} {name}>")

    def handle_data(self, data: str) -> None:  # CSS in <style>: url(cid:...)
        if "cid:" in data.lower() and self.lasttag == "style":
            for match in CID_URL.finditer(data):
                if cid_of(match[1]) not in self.parts:
                    self._note(match[0][:200], BROKEN_CID, "<style>")


def check(html: str, parts: dict[str, int]) -> list[Finding]:
    """What of the HTML the common mail clients will not show, each with how often and where."""
    checker = _Checker(parts)
    checker.feed(html[:CHECKED_CHARS])
    checker.close()
    found = [
        Finding(what, why, len(where), tuple(dict.fromkeys(where))[:MOST_EXAMPLES])
        for (what, why), where in checker.found.items()
    ]
    if len(html) > CHECKED_CHARS:
        rest = f"the body has {len(html):,} characters: only the first {CHECKED_CHARS:,} were checked"
        found.append(Finding("(the rest)", rest, 1))
    return found
