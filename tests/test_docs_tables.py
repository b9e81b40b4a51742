"""The tables in docs/ are what their sources say: written by `make docs`, never copied by hand."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from codegen import docs_tables

ROOT = Path(__file__).resolve().parents[1]
SUITE_CHECKS = ROOT / "docs" / "suite-checks.md"
ON_THE_PAGE = ("settings-suite", "tiers")  # the tables docs/suite.md holds


def test_every_table_in_docs_matches_its_source() -> None:
    problems = docs_tables.stale(docs_tables.pages(), docs_tables.current())
    assert not problems, "\n".join(f"{p}: run `make docs`" for p in problems)


def test_a_table_edited_by_hand_or_misplaced_is_named() -> None:
    tables = docs_tables.current()
    page = ROOT / "docs" / "suite.md"
    text = docs_tables.pages()[page]
    edited = text.replace("| `MAX_SENDS` | `2000` |", "| `MAX_SENDS` | `3000` |")
    assert edited != text
    [problem] = docs_tables.stale({page: edited}, {k: v for k, v in tables.items() if k in ON_THE_PAGE})
    assert str(problem) == "docs/suite.md: table 'settings-suite' differs from its source"
    # A source that changed is the same case: the page was not rewritten.
    changed = {k: v for k, v in tables.items() if k in ON_THE_PAGE}
    changed["settings-suite"] = changed["settings-suite"].replace("2000", "2001")
    assert [p.name for p in docs_tables.stale({page: text}, changed)] == ["settings-suite"]
    assert [p.why for p in docs_tables.stale({page: text}, {**changed, "nowhere": ""})][-1] == "is in no page"
    twice = text + "\n<!-- generated:tiers -->\n<!-- end generated -->\n"
    assert "is in two places" in [p.why for p in docs_tables.stale({page: twice}, tables)]


def test_writing_replaces_only_what_is_between_the_markers() -> None:
    text = "before\n<!-- generated:tiers -->\nold\n<!-- end generated -->\nafter\n"
    assert docs_tables.rendered(text, {"tiers": "new\n"}) == text.replace("old", "new")


def table_column(page: Path, marker: str, column: int = 0) -> list[str]:
    """The cells of `column` in the generated table `marker` of `page`, header and rule left out."""
    block = page.read_text().split(f"<!-- generated:{marker} -->\n", 1)[1].split("<!-- end generated -->")[0]
    return [re.split(r"(?<!\\)\|", row)[column + 1].strip() for row in block.splitlines()[2:]]


def test_the_settings_tables_name_every_setting_and_no_other() -> None:
    from contract_tests.settings import VARIABLES
    from onlyoffice_sandbox.settings import described

    assert table_column(ROOT / "docs" / "suite.md", "settings-suite") == [f"`{v}`" for v in VARIABLES]
    assert table_column(ROOT / "docs" / "sandbox.md", "settings-sandbox") == [
        f"`{row.variable}`" for row in described()
    ]


def test_every_faulty_variant_is_listed_with_its_check() -> None:
    from harness.faulty_sandboxes import FAULTS
    from onlyoffice_contract.facts import printed

    page = SUITE_CHECKS.read_text()
    for fault in FAULTS:
        assert f"| {fault.name} | `{fault.caught_by.value}` | {printed(fault.caught_by)} |" in page, (
            fault.name
        )


def test_every_delivery_fault_is_listed_with_its_check() -> None:
    from harness.delivery_faults import DELIVERY_FAULTS

    page = SUITE_CHECKS.read_text()
    for fault in DELIVERY_FAULTS:
        assert f"| {fault.name} | {fault.caught_by} |" in page, fault.name


def test_every_declared_status_and_every_rule_has_a_row() -> None:
    from contract_tests.rules import rule_names
    from onlyoffice_contract import spec

    assert table_column(SUITE_CHECKS, "statuses") == [str(s) for s in spec.declared_statuses()]
    assert table_column(SUITE_CHECKS, "rules") == [r.replace("|", r"\|") for r in rule_names()]


@pytest.mark.subprocess  # it runs make
def test_the_make_targets_table_is_what_make_help_lists() -> None:
    listed = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True)
    targets = [line.split()[1] for line in listed.stdout.splitlines()]
    assert targets
    assert table_column(ROOT / "docs" / "development.md", "make-targets") == [f"`make {t}`" for t in targets]


def test_the_sandbox_pages_hand_written_tables_name_every_call_and_fault_kind() -> None:
    """Those two tables carry prose no source holds; sandbox-api.yaml still says what they must list."""
    import yaml

    api = yaml.safe_load((ROOT / "sandbox-api.yaml").read_text())
    page = (ROOT / "docs" / "sandbox.md").read_text()
    for path, item in api["paths"].items():
        for method in ("get", "put", "post", "delete"):
            if method in item:
                assert re.search(rf"`{method.upper()}[^`|]*{re.escape(path)}[`?]", page), (method, path)
    for kind in api["components"]["schemas"]["SendFault"]["properties"]["kind"]["enum"]:
        assert f"| `{kind}` |" in page, kind
    codes = api["components"]["schemas"]["DeliveryFault"]["properties"]["code"]["enum"]
    assert f'{{"code": {"|".join(map(str, codes))}, "count": N}}' in page
