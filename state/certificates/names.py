"""Client certificate subject validation: the ``san_cn`` and ``full_subject`` rules.

Redis Enterprise checks these after the TLS handshake; open-source Redis cannot, so the
wizard evaluates them itself (and the targets report that the server does not enforce
them).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence

from ..vocabulary import SubjectValidation
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
    """Hostname matching as a TLS client checks a server: any SAN entry (DNS, IP, e-mail,
    URI) or the CN equals a listed name. Not what ``san_cn`` does: see `san_cn_matches`.

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


def san_cn_matches(certificate: CertificateInfo, names: Sequence[str]) -> bool:
    """``san_cn`` as the product applies it: a SAN DNS entry or the CN equals a listed name,
    as exact, case-sensitive text (enable-tls: "By Subject Alternative Name"; "All Subject
    attributes are case-sensitive"). IP, e-mail and URI entries are never compared, and a
    wildcard on either side is only the literal text `*.example.com`.
    """
    if "subject" in certificate.unreadable and not certificate.dns_names:
        return False
    candidates = set(certificate.dns_names)
    if certificate.subject_cn:
        candidates.add(certificate.subject_cn)
    return any(name in candidates for name in names if name and "*" not in name)


def subject_values(certificate: CertificateInfo) -> dict[str, list[str]]:
    """CN, O, OU, L, ST and C of the certificate's subject, each as its list of values in
    certificate order (OU often has several)."""
    from .describe import _NAME_OIDS, load_pem

    name = load_pem(certificate.pem).subject
    values: dict[str, list[str]] = {}
    for short, oid in _NAME_OIDS.items():
        found = [str(a.value) for a in name.get_attributes_for_oid(oid)]
        if found:
            values[short] = found
    return values


def _listed_values(subject: Mapping[str, object]) -> dict[str, list[str]] | None:
    """A listed subject as field -> values; None when a field is not one of the six."""
    values: dict[str, list[str]] = {}
    for raw_key, value in subject.items():
        key = raw_key.strip().upper()
        if key not in SUBJECT_FIELDS:
            return None
        given = list(value) if isinstance(value, list | tuple) else [value]
        items = [str(v) for v in given if v is not None and str(v) != ""]
        if items:
            values[key] = items
    return values


def full_subject_matches(
    certificate: CertificateInfo, subjects: Sequence[Mapping[str, object]]
) -> bool:
    """``full_subject`` as the product applies it: every subject attribute of the
    certificate equals one listed subject's, case-sensitively (bdb object:
    "All subject attributes are case-sensitive").

    OU is a list (bdb object: "OU": [array of strings]): a certificate with several units
    matches a subject listing the same units, in any order, and no other. A field the
    listed subject leaves out must be absent from the certificate too, so listing fewer
    fields never widens who may connect.
    """
    if "subject" in certificate.unreadable:
        return False
    try:
        actual = {k: sorted(v) for k, v in subject_values(certificate).items()}
    except ValueError:
        return False
    for subject in subjects:
        listed = _listed_values(subject) if subject else None
        if listed and {k: sorted(v) for k, v in listed.items()} == actual:
            return True
    return False


def client_verdict(
    certificate: CertificateInfo,
    validation: str,
    names: Sequence[str],
    subjects: Sequence[Mapping[str, object]],
    leaf_trusted: bool,
) -> str:
    """What the Names step's table says about one trusted certificate: whether the cluster's
    additional validation would accept it, or why no validation happens."""
    if validation == SubjectValidation.NONE:
        return "yes (no check)"
    if leaf_trusted:
        return "not checked: a leaf is trusted, so the cluster skips validation"
    if certificate.is_ca:
        return "CA: its clients are checked by their own names"
    if validation == SubjectValidation.FULL_SUBJECT:
        return "yes" if full_subject_matches(certificate, subjects) else "no"
    return "yes" if san_cn_matches(certificate, names) else "no"


def subject_matches(certificate: CertificateInfo, subjects: Sequence[Mapping[str, object]]) -> bool:
    """``full_subject``; kept under its first name for callers that use it."""
    return full_subject_matches(certificate, subjects)
