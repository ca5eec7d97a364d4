"""Client certificate subject validation: the ``san_cn`` and ``full_subject`` rules.

Redis Enterprise checks these after the TLS handshake; open-source Redis cannot, so the
wizard evaluates them itself (and the targets report that the server does not enforce
them).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence

from .info import SUBJECT_FIELDS, CertificateInfo


def _dns_equal(pattern: str, name: str) -> bool:
    """Case-insensitive DNS comparison; ``*.example.com`` on either side matches exactly one
    left-most label (``a.example.com``, not ``example.com`` nor ``a.b.example.com``)."""
    a = pattern.strip().rstrip(".").lower()
    b = name.strip().rstrip(".").lower()
    if not a or not b:
        return False
    if a == b:
        return True
    for wild, plain in ((a, b), (b, a)):
        if wild.startswith("*.") and not plain.startswith("*."):
            head, _, rest = plain.partition(".")
            if head and rest and rest == wild[2:]:
                return True
    return False


def dns_covers(san: str, name: str) -> bool:
    """Whether the certificate's DNS entry ``san`` serves ``name``: the same name, or a
    wildcard entry covering a plain name. A required wildcard needs that very wildcard."""
    if name.startswith("*."):
        return san.strip().rstrip(".").lower() == name.rstrip(".").lower()
    return _dns_equal(san, name)


def _ip_equal(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a.strip()) == ipaddress.ip_address(b.strip())
    except ValueError:
        return False


def _certificate_names(certificate: CertificateInfo) -> Iterable[tuple[str, str]]:
    """(kind, value) of every SAN entry and the CN; the CN is compared like a DNS name."""
    for entry in certificate.sans:
        kind, _, value = entry.partition(":")
        yield kind, value
    if certificate.subject_cn:
        yield "CN", certificate.subject_cn


def _matches(listed: str, kind: str, value: str) -> bool:
    if kind in ("DNS", "CN"):
        return _dns_equal(listed, value) or (kind == "CN" and listed.strip() == value)
    if kind == "IP":
        return _ip_equal(listed, value)
    if kind == "email":
        local, _, domain = value.rpartition("@")
        l_local, _, l_domain = listed.strip().rpartition("@")
        return local == l_local and domain.lower() == l_domain.lower()
    return listed.strip() == value  # URI and anything else: exact


def name_matches(certificate: CertificateInfo, names: Sequence[str]) -> bool:
    """``san_cn``: any SAN entry (DNS, IP, e-mail, URI) or the CN equals a listed name.

    DNS names and the CN compare case-insensitively, with a one-label wildcard allowed in
    the list or in the certificate; IP addresses compare as addresses (so ``::1`` equals
    ``0:0::1``); e-mail domains compare case-insensitively, their local parts and URIs
    exactly. An empty list authorizes nobody.
    """
    wanted = [n for n in names if n and n.strip()]
    return any(
        _matches(listed, kind, value)
        for listed in wanted
        for kind, value in _certificate_names(certificate)
    )


def _normalize_subject(subject: Mapping[str, object]) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in subject.items():
        field = key.strip().upper()
        if field not in SUBJECT_FIELDS or value is None:
            continue
        if isinstance(value, list | tuple):
            text = ", ".join(str(v) for v in value if str(v) != "")
        else:
            text = str(value)
        if text != "":
            result[field] = text
    return result


def subject_matches(certificate: CertificateInfo, subjects: Sequence[Mapping[str, object]]) -> bool:
    """``full_subject``: the certificate's CN, O, OU, L, ST and C all equal one listed
    subject's, case-sensitively.

    The choice, following the Redis Enterprise documentation ("all fields must match"):
    all six fields are compared, and a field the listed subject leaves out (or empty)
    must be absent from the certificate too. So ``{"CN": "app1"}`` matches a certificate
    whose subject is just ``CN=app1`` and not ``CN=app1,O=Acme``: listing fewer fields
    never widens who may connect. Field names are accepted in any case; a repeated
    attribute (two OUs) is compared as the values joined by ", ", in certificate order,
    and a listed value may be given as a list of those values. Subject attributes other
    than these six (e-mail, serialNumber...) are not compared.
    """
    if "subject" in certificate.unreadable:
        return False
    actual = {k: v for k, v in certificate.subject_attributes.items() if k in SUBJECT_FIELDS}
    return any(_normalize_subject(subject) == actual for subject in subjects if subject)
