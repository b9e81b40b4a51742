"""Every link in README.md and docs/ works from a clone: a relative one names a file (and a heading) of the
repository, any other is https to a public host. Nothing points at what a clone does not have."""

from __future__ import annotations

import ipaddress
import re
import subprocess
import urllib.parse
from functools import cache
from pathlib import Path

import pytest

# It asks git which files a clone has.
pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M)
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
INLINE = re.compile(r"\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")  # [text](target) and ![alt](target)
DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$", re.M)
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>]*)>")
# GitHub links a bare URL only at the start of a line, after white space or one of `*_~(`.
BARE = re.compile(r"(?:^|(?<=[\s*_~(]))((?:https?|ftp)://[^\s<>]+|www\.[^\s<>]+)", re.M)
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$", re.M)
# Names that never resolve to a public host (RFC 2606, RFC 6761, and common private suffixes).
PRIVATE_SUFFIXES = (".test", ".example", ".invalid", ".localhost", ".local", ".internal", ".lan")
EXAMPLE_DOMAINS = {"example.com", "example.org", "example.net"}


def prose(text: str) -> str:
    """`text` without code blocks and code spans, whose contents are not links on GitHub."""
    return CODE_SPAN.sub("code", FENCE.sub("", text))


def links(text: str) -> list[str]:
    text = prose(text)
    found = INLINE.findall(text) + DEFINITION.findall(text) + AUTOLINK.findall(text)
    found += [m.rstrip(".,:;!?*_~)'\"") for m in BARE.findall(text)]
    return list(dict.fromkeys(found))  # each once, in the order found


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


@cache
def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for match in HEADING.finditer(FENCE.sub("", page.read_text(encoding="utf-8"))):
        base = slug(match[2])
        name, n = base, 0
        while name in found:
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


@cache
def in_the_repository() -> frozenset[str]:
    """Every file a clone has (tracked, or new and not ignored), and every folder holding one."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    folders = {str(Path(name).parents[i]) for name in listed for i in range(len(Path(name).parts) - 1)}
    return frozenset(listed) | folders


def problem(page: Path, target: str) -> str | None:
    """Why `target`, linked from `page`, would not work from a clone; None when it would."""
    parts = urllib.parse.urlsplit(target)
    if parts.scheme or target.startswith("//") or target.startswith("www."):
        host = (parts.hostname or "").lower()
        if parts.scheme != "https":
            return "not https"
        reserved = host.endswith(PRIVATE_SUFFIXES) or any(host.endswith(f".{d}") for d in EXAMPLE_DOMAINS)
        if not host or host == "localhost" or host in EXAMPLE_DOMAINS or reserved:
            return f"{host or 'no host'} is not a public host"
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return None
        return None if address.is_global else f"{host} is not a public address"
    path, _, anchor = target.partition("#")
    file = (page.parent / urllib.parse.unquote(path)).resolve() if path else page
    if not file.is_relative_to(ROOT):
        return "outside the repository"
    name = file.relative_to(ROOT).as_posix()
    if name != "." and name not in in_the_repository():
        return f"{name} is not in the repository"
    if anchor and (file.suffix != ".md" or anchor not in anchors(file)):
        return f"{name} has no heading #{anchor}"
    return None


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_link_works_from_a_clone(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "../shared" not in text  # beside the repository, not in it: a clone has no such folder
    found = links(text)
    broken = [f"{target}: {why}" for target in found if (why := problem(page, target))]
    assert not broken, "\n".join(broken)


def test_the_docs_are_linked_from_their_index() -> None:
    index = ROOT / "docs" / "README.md"
    linked = {(index.parent / target.partition("#")[0]).resolve() for target in links(index.read_text())}
    assert set(PAGES) - {ROOT / "README.md", index} <= linked


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("../shared/onlyoffice-send-facts.md", "outside the repository"),
        ("docs/nothing.md", "docs/nothing.md is not in the repository"),
        ("docs/suite.md#no-such-heading", "docs/suite.md has no heading #no-such-heading"),
        ("http://github.com/ONLYOFFICE", "not https"),
        ("https://127.0.0.1:8080/sandbox/mail", "127.0.0.1 is not a public address"),
        ("https://localhost/", "localhost is not a public host"),
        ("https://staging.example.com/", "staging.example.com is not a public host"),
        ("https://example.org", "example.org is not a public host"),
        ("https://sandbox.test/docs", "sandbox.test is not a public host"),
        (
            "https://github.com/ONLYOFFICE/CommunityServer/blob/v12.7.1/web/studio/ASC.Web.Studio/Global.asax.cs",
            None,
        ),
        ("docs/suite.md#a-polite-run", None),
        (".ci/run", None),
    ],
)
def test_the_link_rules(target: str, why: str | None) -> None:
    assert problem(ROOT / "README.md", target) == why


def test_links_are_found_where_github_makes_them_and_not_in_code() -> None:
    text = (
        '[a](docs/a.md) ![i](b.png "t") <https://x.org/> see http://y.org/z. `[c](no.md)` mailpit:http://h:1\n'
        "```\n[d](no.md)\n```\n[ref]: https://z.org/\n"
    )
    assert links(text) == ["docs/a.md", "b.png", "https://z.org/", "https://x.org/", "http://y.org/z"]


def test_anchors_are_githubs() -> None:
    assert (
        slug("What it does beyond the generator's defaults") == "what-it-does-beyond-the-generators-defaults"
    )
    assert slug("The pytest `sandbox` fixture") == "the-pytest-sandbox-fixture"
    assert slug("Quickstart: maintainer, change the spec") == "quickstart-maintainer-change-the-spec"
