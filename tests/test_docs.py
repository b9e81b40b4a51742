"""The API reference pages: built by `make docs` from the current specs, served by the sandbox."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import httpx
import pytest

from harness.pages import Page
from onlyoffice_sandbox.pytest_plugin import Sandbox

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "onlyoffice_sandbox" / "web" / "static" / "docs"
REDOCLY_VERSION = re.search(r"^REDOCLY_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M)[1]  # type: ignore[index]


@pytest.mark.parametrize("spec", ["openapi.yaml", "sandbox-api.yaml"])
def test_each_page_was_built_from_the_spec_as_it_is_now(spec: str) -> None:
    """A changed spec needs `make docs`: the page ends with the sha256 of the spec it was built from.
    (Redocly's output was found byte-identical across runs here, so the page itself is stable too.)"""
    page = (DOCS / spec.replace(".yaml", ".html")).read_text(encoding="utf-8")
    digest = hashlib.sha256((ROOT / spec).read_bytes()).hexdigest()
    stamp = page.rstrip().splitlines()[-1]
    assert stamp == f"<!-- built from {spec} sha256 {digest} by redocly {REDOCLY_VERSION} -->", (
        "run make docs"
    )
    assert "<script" in page  # self-contained: Redoc's bundle is inside
    assert not re.search(r"<script[^>]+src=", page)


def test_the_sandbox_serves_the_docs_and_the_specs(sandbox: Sandbox) -> None:
    for path, spec in (("/docs", "openapi.yaml"), ("/docs/sandbox", "sandbox-api.yaml")):
        page = httpx.get(sandbox.url + path)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert hashlib.sha256((ROOT / spec).read_bytes()).hexdigest() in page.text
        served = httpx.get(f"{sandbox.url}/{spec}")
        assert served.content == (ROOT / spec).read_bytes()
        assert served.headers["content-type"].startswith("application/yaml")
    assert httpx.get(sandbox.url + "/docs/nothing").status_code == 404
    home = Page(httpx.get(sandbox.url + "/").text)
    links = {e.attrs.get("href") for e in home.elements if e.tag == "a"}
    assert {"/sandbox/mail", "/sandbox/outbox", "/docs", "/docs/sandbox", "/openapi.yaml"} <= links
