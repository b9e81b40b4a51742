"""Hypothesis strategies for this spec's own string format `mailbox`."""

from __future__ import annotations

import string

from hypothesis import strategies as st

_ATEXT = set(string.ascii_letters + string.digits + " ")


def _phrase(name: str) -> str:
    """A display name as RFC 5322 writes it: bare when it is only atoms, quoted otherwise."""
    if set(name) <= _ATEXT:
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mailboxes(domain: str) -> st.SearchStrategy[str]:
    """Valid mailboxes, all in `domain`: `local@domain` or `Display Name <local@domain>`."""
    local = st.from_regex(r"\A[a-z0-9](?:[a-z0-9._+-]{0,20}[a-z0-9])?\Z").filter(lambda s: ".." not in s)
    name = st.text(
        alphabet=st.characters(
            categories=["L", "N"], include_characters=" .-'\"", exclude_characters="@<>,;"
        ),
        min_size=1,
        max_size=24,
    ).map(lambda s: " ".join(s.split()))
    bare = local.map(lambda lp: f"{lp}@{domain}")
    named = st.tuples(name.filter(bool), local).map(lambda t: f"{_phrase(t[0])} <{t[1]}@{domain}>")
    return st.one_of(bare, named)
