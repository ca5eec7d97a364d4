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


# -- names of databases and clusters --------------------------------------------------------
# Redis Enterprise Software, "Create a database" (content/operate/rs/databases/create.md) and
# the REST bdb object's `name` field: at most 63 characters; only letters, numbers or
# hyphens; must start and end with a letter or digit; case-sensitive. A cluster is named by
# its FQDN (REST cluster object `name`), which must comply with RFC 952 and RFC 1123 §2.1
# (content/operate/rs/networking/cluster-dns.md). Either rule also keeps a name out of
# file paths and terminals: no separators, dots-only names, spaces or control characters.

DATABASE_NAME_MAX = 63
CLUSTER_NAME_MAX = 253
_DATABASE_NAME_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_HOST_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
DATABASE_NAME_RULE = (
    "letters, digits and hyphens only, starting and ending with a letter or digit, "
    f"at most {DATABASE_NAME_MAX} characters (what Redis Enterprise accepts)"
)
CLUSTER_NAME_RULE = (
    "a host name (RFC 952/1123): dot-separated labels of letters, digits and hyphens, each "
    f"starting and ending with a letter or digit, at most 63 characters each and "
    f"{CLUSTER_NAME_MAX} in all"
)


def shown_name(name: str) -> str:
    """A name for a message: control characters visible, quoted, long ones cut."""
    from .text import visible

    cut = name if len(name) <= 64 else name[:64] + "…"
    return f"'{visible(cut)}'"


def database_name_problem(name: object) -> str | None:
    """Why `name` is not a database name Redis Enterprise accepts; None when it is."""
    if not isinstance(name, str):
        return f"a database name must be text, not {type(name).__name__}"
    if _DATABASE_NAME_RE.fullmatch(name):
        return None
    return f"{shown_name(name)} is not a valid database name: {DATABASE_NAME_RULE}"


def cluster_name_problem(name: object, what: str = "cluster name") -> str | None:
    """Why `name` is not a cluster name (an FQDN by RFC 952/1123); None when it is."""
    if not isinstance(name, str):
        return f"a {what} must be text, not {type(name).__name__}"
    labels = name.split(".")
    if (
        len(name) <= CLUSTER_NAME_MAX
        and all(_HOST_LABEL_RE.fullmatch(label) for label in labels)
        and not (len(labels) > 1 and labels[-1].isdigit())
    ) or _is_ip(name):
        return None
    return f"{shown_name(name)} is not a valid {what}: {CLUSTER_NAME_RULE}"


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def never_matched(name: str) -> str | None:
    """Why `san_cn` validation never matches `name`, or None when it can.

    The product compares a client's SAN DNS entries and its CN with the listed names, as
    exact, case-sensitive strings (enable-tls: "By Subject Alternative Name"): an IP
    address, an e-mail address or a URI is never a DNS entry, and a wildcard is compared
    as the literal text `*.example.com`, never as a pattern.
    """
    try:
        ipaddress.ip_address(name)
        return f"{name!r} is an IP address: SAN validation compares only DNS names and the CN"
    except ValueError:
        pass
    if "://" in name:
        return f"{name!r} is a URI: SAN validation compares only DNS names and the CN"
    if "@" in name:
        return f"{name!r} is an e-mail address: SAN validation compares only DNS names and the CN"
    if "*" in name:
        return (
            f"{name!r} is a wildcard: SAN validation compares names as exact text, so it "
            "matches no client; list each client's name"
        )
    return None
