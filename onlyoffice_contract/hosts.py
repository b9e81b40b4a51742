"""Whether a host is this machine: the suite paces only live targets, the sandbox guards only others."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """`localhost`, a `.localhost` name, or a loopback address (127.0.0.0/8, ::1; brackets allowed)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
