"""The suite with a resolver that knows no `.invalid` name: `python -m harness.unresolvable_suite [OPTIONS]`.

A DNS failure, made without asking any DNS server (the tests reach loopback only): getaddrinfo
fails for such a name as glibc's does for a name no server knows (EAI_NONAME). The run is
otherwise the command's own (`contract_tests.cli.main`).
"""

from __future__ import annotations

import socket
import sys
from typing import Any

from contract_tests import cli

_getaddrinfo = socket.getaddrinfo


def _resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name.rstrip(".").endswith(".invalid"):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return _getaddrinfo(host, *args, **kwargs)


if __name__ == "__main__":
    socket.getaddrinfo = _resolve
    sys.exit(cli.main(sys.argv[1:]))
