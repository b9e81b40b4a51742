"""The suite against its embedded sandbox behind one fault: `python -m harness.wrapped_suite NAME [OPTIONS]`.

For the faults only the embedded run can show (the draft probes run only there, on the drafts the
suite seeds): the embedded sandbox is wrapped in the fault named NAME (`harness.faulty_sandboxes.FAULTS`),
and the run is otherwise the command's own (`contract_tests.cli.main`, the rest of the arguments).
"""

from __future__ import annotations

import functools
import sys

from contract_tests import cli, target
from harness.faulty_sandboxes import FAULTS


def main(argv: list[str]) -> int:
    name, *rest = argv
    [fault] = [f for f in FAULTS if f.name == name]
    target.embedded_sandbox = functools.partial(target.embedded_sandbox, wrap=fault.wrap)
    return cli.main(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
