"""Authorized names: parsing the comma-separated list and telling which entries are valid."""

from __future__ import annotations

import ipaddress
import re

_LABEL = r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)"
DNS_RE = re.compile(rf"^(\*\.)?{_LABEL}(\.{_LABEL})*\.?$")
EMAIL_RE = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")
URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s,]+$")


def parse_name_list(text: str) -> list[str]:
    """Split on commas, trim, drop empty entries, collapse duplicates (first one kept)."""
    names: list[str] = []
    for raw in text.split(","):
        name = raw.strip()
        if name and name not in names:
            names.append(name)
    return names


def name_problem(name: str) -> str | None:
    """Why `name` is not a DNS name, wildcard, IP address, e-mail address or URI; None if it is."""
    if not name or name != name.strip():
        return f"{name!r} is empty or has spaces around it"
    if len(name) > 253:
        return f"{name[:20]!r}… is longer than 253 characters"
    try:
        ipaddress.ip_address(name)
        return None
    except ValueError:
        pass
    if "@" in name:
        return None if EMAIL_RE.match(name) else f"{name!r} is not a valid e-mail address"
    if "://" in name:
        return None if URI_RE.match(name) else f"{name!r} is not a valid URI"
    if "*" in name and not name.startswith("*."):
        return f"{name!r}: a wildcard must be the whole leftmost label, as in *.example.com"
    if not DNS_RE.match(name):
        return f"{name!r} is not a DNS name, IP address, e-mail address or URI"
    labels = name.rstrip(".").split(".")
    if len(labels) > 1 and labels[-1].isdigit():
        return f"{name!r} is neither an IP address nor a DNS name (a top-level domain is never all digits)"
    if labels[0] == "*" and len(labels) < 3:
        return f"{name!r}: a wildcard must cover a domain, not a whole top-level domain"
    return None
