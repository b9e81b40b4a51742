"""The tables in docs/, written from the code that defines what they list, never by hand.

Each table sits in a page between `<!-- generated:NAME -->` and `<!-- end generated -->`.
`python -m codegen.docs_tables` (run by `make docs`) rewrites every one of them;
`python -m codegen.docs_tables check` fails, naming each table that differs. One function per
table, each reading one source, so a table follows its source to a new home in one line.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from onlyoffice_contract import environment
from onlyoffice_contract.facts import REFUSALS, RuleId, printed

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
END = "<!-- end generated -->"
BLOCK = re.compile(r"(<!-- generated:([a-z0-9-]+) -->\n)(.*?)(" + re.escape(END) + ")", re.S)


def _cell(value: object) -> str:
    """One table cell: a line of its own, a `|` in it escaped."""
    return " ".join(str(value).split()).replace("|", r"\|")


def _code(value: object) -> str:
    return f"`{value}`"


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# -- one function per table ----------------------------------------------------------------------


def suite_settings() -> str:
    """The suite's settings, as the one settings mechanism describes them (`onlyoffice-contract --help`)."""
    from contract_tests.settings import described

    return settings_table(described())


def tiers() -> str:
    """What each TIER sets, where the setting is not given; `standard` is the settings' own defaults."""
    from contract_tests import tiers
    from contract_tests.settings import FIELDS

    names = sorted(
        {name for defaults in tiers.DEFAULTS.values() for name in defaults}, key=list(FIELDS).index
    )
    return table(
        ("`TIER`", *map(_code, names), "coverage phase"),
        (
            (
                _code(tier),
                *(_code(defaults.get(name, FIELDS[name].default)) for name in names),
                "yes" if tiers.COVERAGE_PHASE[tier] else "no",
            )
            for tier, defaults in tiers.DEFAULTS.items()
        ),
    )


def sandbox_settings() -> str:
    """The sandbox's settings, as `onlyoffice-sandbox --help` lists them."""
    from onlyoffice_sandbox.settings import described

    return settings_table(described())


def settings_table(rows: Iterable[environment.Row]) -> str:
    def default(row: environment.Row) -> str:
        return row.default if row.default.startswith("(") else _code(row.default)

    return table(("variable", "default", "meaning"), ((_code(r.variable), default(r), r.help) for r in rows))


def statuses() -> str:
    """The statuses openapi.yaml declares for the call, with their content types and description."""
    from contract_tests.rules import from_a_filter
    from onlyoffice_contract import spec

    rows = []
    for status in spec.declared_statuses():
        response = spec.resolve(spec.operation()["responses"][str(status)])
        content = response.get("content", {})
        examples = [media.get("example") for media in content.values()]
        message = next((e["error"]["message"] for e in examples if isinstance(e, dict) and "error" in e), "")
        rows.append(
            (
                status,
                ", ".join(map(_code, content)) or "no body",
                _code(message) if message else "",
                "yes" if from_a_filter(status) else "",
                response["description"].split("\n\n")[0],
            )
        )
    return table(("status", "content", "example message", "before the call", "when"), rows)


def rules() -> str:
    """The rule probes (contract_tests/rules.py), the status each must get, and whether it runs live."""
    from contract_tests import rules, settings

    live = settings.load(
        {"BASE_URL": "https://portal.example.com", "API_KEY": "key", "FROM": "me@example.com"}
    )
    rows: list[tuple[object, ...]] = [
        (p.rule, _code(p.id.value), p.expected, p.not_run(live) or "yes") for p in rules.PROBES
    ]
    again = RuleId.SENT_AGAIN
    rows.append((again.sentence, _code(again.value), "200, then 403", "yes"))  # test_rules.py sends it twice
    # Why these two kinds need the embedded sandbox (DRAFTS_NOT_RUN, PORTAL_NOT_RUN) is said once, in prose.
    embedded = "no: embedded sandbox only"
    rows += [
        (d.rule, _code(d.rule_id.value), ", then ".join(map(str, d.expected)), embedded)
        for d in rules.DRAFT_PROBES
    ]
    rows += [(p.rule, _code(p.id.value), p.expected, embedded) for p in rules.PORTAL_PROBES]
    return table(("rule", "id", "status", "against `BASE_URL`"), rows)


def leniency_kinds() -> str:
    """Each kind of leniency the real server's binder allows (onlyoffice_contract/leniency.py), by id."""
    from onlyoffice_contract.leniency import LeniencyKind

    return table(("kind", "what the real server does"), ((_code(k.value), k.meaning) for k in LeniencyKind))


def deviations() -> str:
    """The real server's known defects (onlyoffice_contract/defects.py), by id."""
    from onlyoffice_contract import defects

    return table(
        ("id", "what", "the contract", "the real server", "why"),
        ((_code(d.id.value), d.name, d.expected, d.seen, d.facts) for d in defects.KNOWN),
    )


def faulty_variants() -> str:
    """The faulty variants of the sandbox (harness/faulty_sandboxes.py) and what the suite's output says."""
    from harness.faulty_sandboxes import FAULTS

    def notes(fault: Any) -> str:
        said = []
        if fault.embedded:
            said.append("wraps the suite's embedded sandbox")
        if fault.exit_status != 1:
            said.append(f"exit {fault.exit_status}")
        if fault.defects:
            said.append("PROFILE=onlyoffice: passes, deviations " + ", ".join(d.value for d in fault.defects))
        return "; ".join(said)

    return table(
        ("faulty variant", "caught by", "the output says", "notes"),
        ((f.name, _code(f.caught_by.value), printed(f.caught_by), notes(f)) for f in FAULTS),
    )


def refusals() -> str:
    """Each refusal of the call (onlyoffice_contract/facts.py): its status, words and HRESULT, by id."""
    return table(
        ("id", "status", "message", "HRESULT"),
        (
            (_code(r.id.value), r.status, _code(r.message) if r.message else "empty", _hresult(r.hresult))
            for r in REFUSALS.values()
        ),
    )


def _hresult(value: int | None) -> str:
    return "none" if value is None else f"{value} (`{value & 0xFFFFFFFF:#010x}`)"


def delivery_faults() -> str:
    """The faults of the mail that goes out (harness/delivery_faults.py) and what the suite says."""
    from harness.delivery_faults import DELIVERY_FAULTS

    return table(
        ("delivery fault", "the suite's output names"), ((f.name, f.caught_by) for f in DELIVERY_FAULTS)
    )


def fault_kinds() -> str:
    """The sandbox's send faults on demand (onlyoffice_sandbox/faults_on_demand.py): where each applies."""
    from onlyoffice_sandbox import faults_on_demand as faults

    def stage_and_answer(kind: str) -> tuple[str, str]:
        if kind in faults.PORTAL:
            return "before authentication", f"{faults.PORTAL[kind]}, empty body"
        if kind in faults.AFTER_BINDING:
            problem = faults.AFTER_BINDING[kind]
            stage = "after the body is bound" if kind in faults.FILTERS else "in the method"
            return stage, f"{problem.status}, error envelope, `{problem.message}`"
        if kind == faults.LATE:
            return "after authentication", "the usual answer, `seconds` late"
        return "after authentication", "the connection closes, no answer"

    return table(
        ("kind", "stage", "answer"), ((_code(kind), *stage_and_answer(kind)) for kind in faults.KINDS)
    )


def magic_recipients() -> str:
    """The embedded capture's magic recipients (onlyoffice_sandbox/delivery/magic.py)."""
    from onlyoffice_sandbox.delivery import magic

    def address(name: str, kind: Any) -> str:
        return _code(f"{name}{'' if kind.default is None else '[-N]'}[+TAG]@{magic.DOMAIN}")

    return table(
        ("address", "N if not given", "what the capture does with that recipient", "its reply"),
        (
            (
                address(name, k),
                "" if k.default is None else _code(f"{k.default:g}"),
                k.about,
                _code(k.reply) if k.reply else "none",
            )
            for name, k in magic.KINDS.items()
        ),
    )


def make_targets() -> str:
    """The Makefile's targets, from their `##` lines (what `make help` prints)."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    found = [re.match(r"^([a-z-]+):.*## (.*)$", line) for line in lines]
    return table(("target", "what it does"), ((_code(f"make {m[1]}"), m[2]) for m in found if m))


TABLES: dict[str, Callable[[], str]] = {
    "settings-suite": suite_settings,
    "tiers": tiers,
    "settings-sandbox": sandbox_settings,
    "fault-kinds": fault_kinds,
    "magic-recipients": magic_recipients,
    "statuses": statuses,
    "rules": rules,
    "refusals": refusals,
    "leniency-kinds": leniency_kinds,
    "deviations": deviations,
    "faulty-variants": faulty_variants,
    "delivery-faults": delivery_faults,
    "make-targets": make_targets,
}


# -- writing and checking ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Stale:
    page: Path
    name: str
    why: str

    def __str__(self) -> str:
        where = self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page
        return f"{where}: table {self.name!r} {self.why}"


def pages() -> dict[Path, str]:
    """Every page of docs/ and its text."""
    return {page: page.read_text(encoding="utf-8") for page in sorted(DOCS.rglob("*.md"))}


def current() -> dict[str, str]:
    """Every table as its source gives it now."""
    return {name: make() for name, make in TABLES.items()}


def rendered(text: str, tables: dict[str, str]) -> str:
    """`text` with every generated table replaced by its current content."""
    return BLOCK.sub(lambda m: m[1] + tables.get(m[2], m[3]) + m[4], text)


def stale(texts: dict[Path, str], tables: dict[str, str]) -> list[Stale]:
    """Every table in `texts` that differs from `tables`, names no table, or is placed other than once."""
    found: list[Stale] = []
    placed: dict[str, list[Path]] = {}
    for page, text in texts.items():
        for match in BLOCK.finditer(text):
            placed.setdefault(match[2], []).append(page)
            if match[2] not in tables:
                found.append(Stale(page, match[2], "is not one codegen/docs_tables.py writes"))
            elif match[3] != tables[match[2]]:
                found.append(Stale(page, match[2], "differs from its source"))
    found += [Stale(DOCS, name, "is in no page") for name in tables if name not in placed]
    found += [Stale(where[1], name, "is in two places") for name, where in placed.items() if len(where) > 1]
    return found


def write() -> list[Path]:
    """Rewrite every generated table in docs/; the pages that changed."""
    tables = current()
    changed = []
    for page, text in pages().items():
        new = rendered(text, tables)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed.append(page)
    return changed


def main(argv: list[str]) -> int:
    if argv not in ([], ["check"]):
        print("usage: python -m codegen.docs_tables [check]", file=sys.stderr)
        return 2
    if not argv:
        for page in write():
            print(f"{page.relative_to(ROOT)}: tables rewritten")
    problems = stale(pages(), current())
    for problem in problems:
        print(f"{problem}: run `make docs`" if argv else str(problem), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
