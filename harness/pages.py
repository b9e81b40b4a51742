"""A page as a browser's parser reads it (html.parser): its elements, their attributes, its text.

For checks that hostile text stayed text: no element, attribute or script came from it.
The browser test (tests/test_browser.py) checks the rendered DOM in Chromium as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: list[str] = field(default_factory=list)


class Page(HTMLParser):
    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.text: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in {"meta", "link", "input", "br", "img", "hr"}:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for element in self._open:
            element.text.append(data)

    def by_id(self, element_id: str) -> Element:
        [found] = [e for e in self.elements if e.attrs.get("id") == element_id]
        return found

    def text_of(self, element_id: str) -> str:
        return "".join(self.by_id(element_id).text)

    def all_text(self) -> str:
        return "".join(self.text)

    def tags(self) -> set[str]:
        return {e.tag for e in self.elements}

    def event_handlers(self) -> list[tuple[str, str]]:
        """Every `on...` attribute of every element: a page of ours has none."""
        return [(e.tag, name) for e in self.elements for name in e.attrs if name.lower().startswith("on")]
