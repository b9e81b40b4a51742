"""The binder under hostile input: every request answers 400 (or the server's 403) or binds, never a 500;
and its cost grows with the body, not with the product of a key's length and the leaves under it.

The property test draws requests over the wire forms (JSON, the web client's form, the query
string beside either), runs of digits in list positions and values, charsets and nesting, and
reads each as the sandbox's onlyoffice mode does (`request_reader.read`): a `Problem` of 400 or 403, or
a bound request, is all it may give. The cost tests measure work as a ratio to a plain body of the
same size (no wall-clock bound: the machine is shared).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from harness.sandboxes import SEND_PATH, TOKEN, running, settings_in
from onlyoffice_contract import binder
from onlyoffice_sandbox import request_reader
from onlyoffice_sandbox.problems import Problem
from onlyoffice_sandbox.web import send as send_module

pytestmark = pytest.mark.slow  # large bodies and cost ratios measured over many runs: seconds a test

NAMES = [*(p.name for p in binder.params()), "From", "TO", "fileId", "fileid", "a", "@x", "#text", "$id"]
MEMBERS = ["fileId", "fileName", "size", "contentType", "needSaveToTemp", "fileid", "x"]
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
CHARSETS = [
    "utf-8",
    "UTF-8",
    "undefined",
    "rot13",
    "hex",
    "base64",
    "idna",
    "punycode",
    "utf-16",
    "utf-32",
    "latin-1",
    "cp1252",
    "zlib",
    "bz2",
    "uu",
    "quopri",
    "mbcs",
    "utf-7",
    "",
    '"utf-8"',
    "no-such",
]


def _digits() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(min_value=0, max_value=2**40).map(str),
        st.integers(min_value=1, max_value=6000).map(lambda n: "1" * n),
        st.sampled_from(["", "-1", "+1", "0x10", "\u0661", "1e3", "00000000000000000000000007"]),
    )


def _scalar() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        _digits(),
        st.text(max_size=20),
        st.sampled_from(["true", "Read", "2", "a@b.c", "\udc80", "x" * 300]),
    )


def _json_values() -> st.SearchStrategy[Any]:
    names = st.one_of(st.sampled_from(NAMES + MEMBERS), st.text(max_size=6))
    return st.recursive(
        _scalar(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.lists(st.tuples(names, inner), max_size=4).map(dict),
        ),
        max_leaves=25,
    )


def _form_key() -> st.SearchStrategy[str]:
    segment = st.one_of(_digits(), st.sampled_from([*MEMBERS, "", "0", "1"]), st.text(max_size=4))
    return st.builds(
        lambda name, segments, tail: name + "".join(f"[{s}]" for s in segments) + tail,
        st.sampled_from(NAMES),
        st.lists(segment, max_size=3),
        st.sampled_from(["", "", "]", "[", "."]),
    )


def _pairs() -> st.SearchStrategy[bytes]:
    pair = st.tuples(_form_key(), st.one_of(_digits(), st.text(max_size=12), st.sampled_from(["a@b.c", ""])))
    encoded = st.lists(pair, max_size=8).map(
        lambda pairs: "&".join(
            f"{quote(k, errors='surrogatepass')}={quote(v, errors='surrogatepass')}" for k, v in pairs
        ).encode()
    )
    return st.one_of(encoded, st.binary(max_size=40), st.sampled_from([b"%", b"a=%ff%fe", b"=&&=", b"to[]"]))


def _content_type() -> st.SearchStrategy[str]:
    media = st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/json", ""])
    return st.one_of(
        media,
        st.builds(lambda m, c: f"{m}; charset={c}", media, st.sampled_from(CHARSETS)),
    )


def _json_body() -> st.SearchStrategy[bytes]:
    def dumped(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=True).encode()

    plain = st.lists(st.tuples(st.sampled_from(NAMES), _json_values()), max_size=6).map(dict).map(dumped)
    deep = st.integers(min_value=1, max_value=3000).map(lambda n: b'{"to":' + b"[" * n + b"]" * n + b"}")
    return st.one_of(plain, _json_values().map(dumped), deep, st.binary(max_size=30))


def _answers(raw: bytes, content_type: str, query: bytes) -> None:
    status = 200
    try:
        request_reader.read("onlyoffice", raw, content_type, query)
    except Problem as problem:
        status = problem.status
    assert status in (200, 400, 403)


# The findings of the hardening review, always tried, besides what is drawn.
_SEND = json.dumps({"from": "a@b.c", "to": ["x@y.z"]}).encode()


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@example(b"from=a%40b.c&to[" + b"1" * 5000 + b"]=x%40y.z", FORM, b"")
@example(b"from=a%40b.c&attachments[" + b"1" * 5000 + b"][fileId]=1", FORM, b"")
@example(_SEND, JSON, b"to[" + b"9" * 5000 + b"]=x%40y.z")
@example(_SEND, JSON, b"to=x%40y.z&from=a%40b.c&attachments[0][fileId]=1")
@example(b"from=a%40b.c&to[]=x%40y.z", FORM + "; charset=undefined", b"")
@example(b"from=a%40b.c&to[]=x%40y.z", FORM + "; charset=rot13", b"")
@given(st.one_of(_json_body(), _pairs()), _content_type(), st.one_of(st.just(b""), _pairs()))
def test_every_request_binds_or_is_refused_never_a_500(raw: bytes, content_type: str, query: bytes) -> None:
    _answers(raw, content_type, query)


# -- cost: as a ratio to a plain body of the same size -------------------------------------------------


def _cost(raw: bytes, content_type: str) -> tuple[float, int]:
    """(the fastest of five bindings, in seconds; the peak of memory allocated while binding once)."""

    def once() -> None:
        with contextlib.suppress(binder.BindError):
            binder.bind(raw, content_type, shortcut=False)

    seconds = []
    for _ in range(5):
        started = time.perf_counter()
        once()
        seconds.append(time.perf_counter() - started)
    tracemalloc.start()
    try:
        once()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return min(seconds), peak


def _plain_json(size: int, leaves: int, objects: bool = False) -> bytes:
    """A send of the same size with as many values (tags) or objects (attachments), and a long body."""
    many: dict[str, Any] = {"attachments": [{"fileId": 1}] * leaves} if objects else {"tags": [1] * leaves}
    head = {"from": "alice@example.test", "to": ["bob@example.org"], **many}
    pad = size - len(json.dumps({**head, "body": ""}))
    return json.dumps({**head, "body": "y" * pad}).encode()


def _hostile_shapes(leaves: int, name: int) -> dict[str, Callable[[], Any]]:
    long = "k" * name
    return {
        # one long name over many values: each value's key repeated the name
        "a long name over many values": lambda: {"from": "a@b.c", long: {"x": [1] * leaves}},
        # below the second level the key is every character of the prefix, bracketed
        "a long name two levels down": lambda: {"from": "a@b.c", "a": {long: {"x": [1] * leaves}}},
        "a long name over many objects": lambda: {"from": "a@b.c", long: [{"x": {"y": 1}}] * leaves},
    }


def test_a_long_name_over_many_values_costs_what_a_plain_body_of_its_size_costs() -> None:
    """A 63 KB body of one long name over 6,500 values took 8 s and 500 MB: each value's key was
    built from every character of its prefix. Now each prefix is written once."""
    for label, shape in _hostile_shapes(leaves=2000, name=20_000).items():
        raw = json.dumps(shape()).encode()
        plain = _plain_json(len(raw), 2000, objects="objects" in label)
        assert abs(len(plain) - len(raw)) < 100
        (hostile_s, hostile_peak), (plain_s, plain_peak) = _cost(raw, JSON), _cost(plain, JSON)
        assert hostile_peak < 3 * plain_peak, (label, hostile_peak, plain_peak)
        # a ratio; the 2 ms is timer noise
        assert hostile_s < 10 * plain_s + 0.002, (label, hostile_s, plain_s)


def test_the_cost_grows_with_the_body_not_with_the_product_of_name_and_values() -> None:
    """Twice the name and twice the values: about twice the memory (the product grew fourfold).
    Memory, not time: a ratio of two short timings is too noisy on a shared machine to tell 2 from 4."""
    shape = "a long name two levels down"
    small = json.dumps(_hostile_shapes(1000, 10_000)[shape]()).encode()
    large = json.dumps(_hostile_shapes(2000, 20_000)[shape]()).encode()
    (_, small_peak), (_, large_peak) = _cost(small, JSON), _cost(large, JSON)
    assert large_peak < 3 * small_peak, (small_peak, large_peak)


def test_a_form_of_many_keys_costs_what_a_form_of_many_values_costs() -> None:
    """360,000 distinct keys in a 2.9 MB form cost 200 MB each; measured against as many recipients."""
    keys = "&".join(f"k{i}=v" for i in range(20_000)).encode()
    plain = b"from=alice%40example.test&" + "&".join(f"to[]={i}" for i in range(20_000)).encode()
    keys += b"&subject=" + b"x" * (len(plain) - len(keys) - 9)
    assert len(plain) == len(keys)
    (keys_s, keys_peak), (plain_s, plain_peak) = _cost(keys, FORM), _cost(plain, FORM)
    assert keys_peak < 3 * plain_peak, (keys_peak, plain_peak)
    assert keys_s < 5 * plain_s + 0.002, (keys_s, plain_s)


def test_large_bodies_are_bound_one_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Six 2.9 MB forms of 360,000 keys bound at once cost 1.2 GB: the sandbox binds a body too
    large for the event loop in a thread, one such body at a time (the others wait their turn)."""
    inside, most = 0, 0
    lock = threading.Lock()
    real = request_reader.read

    def counted(*args: Any) -> request_reader.Read:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        try:
            time.sleep(0.3)  # long enough for the others to arrive meanwhile
            return real(*args)
        finally:
            with lock:
                inside -= 1

    monkeypatch.setattr(request_reader, "read", counted)  # the module web/send.py calls it through
    form = b"from=sandbox%40example.test&to[]=bob%40example.org&" + b"&".join(
        b"k%d=v" % n for n in range(20_000)
    )
    assert len(form) > send_module.INLINE_BIND_BYTES
    with running(settings_in(tmp_path)) as url, ThreadPoolExecutor(4) as pool:
        put = partial(httpx.put, url + SEND_PATH, content=form, timeout=60,
                      headers={"Authorization": TOKEN, "Content-Type": FORM})  # fmt: skip
        statuses = [f.result().status_code for f in [pool.submit(put) for _ in range(4)]]
    assert statuses == [200] * 4
    assert most == 1
