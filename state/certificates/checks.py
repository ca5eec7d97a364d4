"""Findings about certificates, judged for where they are going.

The same certificate can be fine as a trusted CA of a database and wrong as the proxy
certificate, so ``check`` takes a context:

- ``client``: a client certificate or CA pasted into a database's trusted list;
- ``ca``: a certificate authority expected;
- ``proxy``: the cluster's proxy certificate (the server side of client connections): a
  leaf first, chain leaf -> root, serverAuth and clientAuth, SANs covering the FQDN set,
  a key that matches;
- ``syncer``: the syncer certificate (replication and CRDB; it connects as a client and
  accepts as a server, so the same EKU and chain rules, SANs only a warning);
- ``any``: no destination (``tls-wizard inspect`` without ``--as``): only what is wrong
  everywhere (validity, weak keys and signatures).

Severities follow what the server would do: what OpenSSL (security level 2) or the
Redis Enterprise API refuses is an error; what only the documentation advises is a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..vocabulary import CertificateRole, CertificateUse
from .chain import chain_order
from .info import CertificateInfo, utcnow
from .names import dns_covers

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

CONTEXTS = CertificateUse.values()
EXPIRY_WARNING_DAYS = 30
TLS_CURVES = frozenset({"secp256r1", "secp384r1", "secp521r1"})
WEAK_HASHES = frozenset({"md2", "md4", "md5", "sha1"})
MIN_BITS = {"RSA": 2048, "DSA": 2048, "EC": 224}
CODES = (
    "expired",
    "not-yet-valid",
    "expires-soon",
    "self-signed",
    "weak-key",
    "weak-signature",
    "missing-client-auth",
    "missing-server-auth",
    "ca-as-leaf",
    "chain-order",
    "san-mismatch",
    "key-mismatch",
    "dsa-tls12-only",
    "curve-without-tls-signatures",
    "leaf-without-ca",
)

SELF_SIGNED_SEVERITY: dict[str, Severity] = {
    "client": "info",
    "ca": "warning",
    "proxy": "warning",
    "syncer": "info",
    "any": "info",
}
"""Who a self-signed leaf worries, and how much (the inspector's guide shows it)."""
_SERVER_SIDE = CertificateRole.values()


def _where(index: int) -> str:
    return f"certificate {index + 1}"


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def cluster_names(fqdn: str) -> list[str]:
    """The SAN set the documentation asks of proxy and syncer certificates."""
    from .issue import cluster_sans

    return cluster_sans(fqdn)


def _validity(cert: CertificateInfo, where: str, now: datetime) -> list[Finding]:
    if "not_after" in cert.unreadable or "not_before" in cert.unreadable:
        return []
    days = cert.days_left(now)
    if cert.not_after < now:
        return [
            Finding(
                "error",
                "expired",
                f"{cert.label} expired on {_day(cert.not_after)} ({-days} days ago); the "
                "server refuses it: replace it with a current certificate",
                where,
            )
        ]
    if cert.not_before > now:
        return [
            Finding(
                "error",
                "not-yet-valid",
                f"{cert.label} is not valid before {cert.not_before:%Y-%m-%d %H:%M} UTC; the "
                "server refuses it until then (check the issuing machine's clock)",
                where,
            )
        ]
    if days < EXPIRY_WARNING_DAYS:
        return [
            Finding(
                "warning",
                "expires-soon",
                f"{cert.label} expires on {_day(cert.not_after)}, in {days} days: plan "
                "its replacement",
                where,
            )
        ]
    return []


def _strength(cert: CertificateInfo, where: str) -> list[Finding]:
    findings: list[Finding] = []
    minimum = MIN_BITS.get(cert.key_type)
    if minimum is not None and cert.key_bits is not None and cert.key_bits < minimum:
        findings.append(
            Finding(
                "error",
                "weak-key",
                f"{cert.label} has a {cert.key_bits}-bit {cert.key_type} key; OpenSSL at "
                f"security level 2 refuses it (RSA and DSA need 2048 bits, EC 224): issue a new one",
                where,
            )
        )
    if cert.signature_hash in WEAK_HASHES:
        # OpenSSL does not check the signature a trust anchor puts on itself, so a
        # self-signed SHA-1 root still works; anything it signs must not use SHA-1.
        severity: Severity = "warning" if cert.self_signed else "error"
        findings.append(
            Finding(
                severity,
                "weak-signature",
                f"{cert.label} is signed with {cert.signature_hash.upper()}, which OpenSSL at "
                "security level 2 refuses"
                + ("" if cert.self_signed else "; have it reissued with SHA-256"),
                where,
            )
        )
    return findings


def _tls_key(cert: CertificateInfo, where: str) -> list[Finding]:
    """Keys a chain check accepts but a handshake cannot sign with: TLS 1.3 has no DSA
    signature schemes, and TLS signs with EC keys only on the curves it names."""
    if cert.is_ca:
        return []
    if cert.key_type == "EC" and cert.key_curve and cert.key_curve not in TLS_CURVES:
        if cert.key_bits is not None and cert.key_bits < 224:
            return []  # already a weak-key error
        return [
            Finding(
                "error",
                "curve-without-tls-signatures",
                f"{cert.label} has a {cert.key_curve} key: OpenSSL verifies its chain, but TLS "
                "signs only with P-256, P-384 or P-521, so a redis-server refuses the "
                "handshake; issue it again with one of those curves",
                where,
            )
        ]
    if cert.key_type != "DSA":
        return []
    return [
        Finding(
            "warning",
            "dsa-tls12-only",
            f"{cert.label} has a DSA key: TLS 1.3 has no DSA signatures, so a redis-server "
            "refuses its TLS 1.3 handshakes and it connects only over TLS 1.2; issue it again "
            "with an RSA or EC key",
            where,
        )
    ]


def needs_its_ca(cert: CertificateInfo, alongside: Sequence[CertificateInfo]) -> bool:
    """A CA-signed client certificate trusted without the CA that issued it.

    Redis Enterprise accepts a client whose own certificate is trusted; a redis-server
    (OpenSSL without partial chains) needs the chain to end at a trusted self-signed root,
    so it refuses that client until the issuing CA is trusted too.
    """
    if cert.is_ca or cert.self_signed:
        return False
    return not any(other.subject == cert.issuer for other in alongside if other is not cert)


def _leaf_without_ca(
    certs: Sequence[CertificateInfo], alongside: Sequence[CertificateInfo]
) -> list[Finding]:
    everything = [*certs, *alongside]
    return [
        Finding(
            "info",
            "leaf-without-ca",
            f"{cert.label} is trusted without the CA that issued it ({cert.issuer or 'unnamed'}): "
            "Redis Enterprise accepts that client, a redis-server refuses it (OpenSSL needs "
            "the chain to reach a trusted root); add that CA for the Redis target",
            _where(index),
        )
        for index, cert in enumerate(certs)
        if needs_its_ca(cert, everything)
    ]


def _self_signed(cert: CertificateInfo, where: str, context: str) -> list[Finding]:
    if not (cert.self_signed and cert.role == "leaf"):
        return []
    advice = {
        "client": "the database trusts exactly this certificate, which suits one client",
        "ca": "it is not a CA and can vouch only for itself",
        "proxy": "every client must trust this certificate itself; a CA-signed one is recommended",
        "syncer": "every participating cluster must trust this certificate itself",
        "any": "it vouches only for itself",
    }[context]
    return [
        Finding(
            SELF_SIGNED_SEVERITY[context],
            "self-signed",
            f"{cert.label} is self-signed: {advice}",
            where,
        )
    ]


def _missing_usage(
    cert: CertificateInfo, where: str, usage: str, code: str, why: str
) -> list[Finding]:
    eku = cert.extended_key_usage
    if not eku or usage in eku:
        return []
    return [
        Finding(
            "error",
            code,
            f"{cert.label} has extended key usage {', '.join(eku)} without {usage}: {why}",
            where,
        )
    ]


def _client_auth(certs: Sequence[CertificateInfo], context: str, start: int = 0) -> list[Finding]:
    """OpenSSL's sslclient purpose: a leaf or CA whose EKU lacks clientAuth is refused."""
    findings: list[Finding] = []
    for index, cert in enumerate(certs[start:], start):
        if context == "client" and not cert.is_ca:
            why = "the server refuses it as a client certificate (OpenSSL purpose sslclient)"
        elif cert.is_ca:
            why = "OpenSSL refuses client certificates that chain through it"
        else:
            continue
        findings += _missing_usage(cert, _where(index), "clientAuth", "missing-client-auth", why)
    return findings


def _server_side_leaf(cert: CertificateInfo, context: str) -> list[Finding]:
    where = _where(0)
    if cert.is_ca:
        return [
            Finding(
                "error",
                "ca-as-leaf",
                f"{cert.label} is a CA certificate, but the {context} certificate must come "
                "first: the cluster's own leaf certificate (CN = the FQDN), then its chain",
                where,
            )
        ]
    findings = _missing_usage(
        cert,
        where,
        "serverAuth",
        "missing-server-auth",
        f"the {context} accepts TLS connections and the documentation asks for serverAuth",
    ) + _missing_usage(
        cert,
        where,
        "clientAuth",
        "missing-client-auth",
        f"the {context} also connects as a client and the documentation asks for clientAuth",
    )
    if not cert.extended_key_usage:
        for code, usage in (
            ("missing-server-auth", "serverAuth"),
            ("missing-client-auth", "clientAuth"),
        ):
            findings.append(
                Finding(
                    "warning",
                    code,
                    f"{cert.label} has no extended key usage; the documentation asks for "
                    f"{usage} (serverAuth and clientAuth) on {context} certificates",
                    where,
                )
            )
    return findings


def _chain_order(certs: Sequence[CertificateInfo], context: str) -> list[Finding]:
    if len(certs) < 2:
        return []
    server_side = context in _SERVER_SIDE
    for index in range(len(certs) - 1):
        if certs[index].issuer != certs[index + 1].subject or certs[index].self_signed:
            break
    else:
        return []
    order = chain_order(certs)
    if order is not None:
        listed = ", ".join(str(i + 1) for i in order)
        return [
            Finding(
                "error" if server_side else "info",
                "chain-order",
                f"the certificates are not ordered leaf -> root; the order is {listed}"
                + ("" if server_side else " (the server does not mind, but a bundle should be)"),
                _where(order[0]),
            )
        ]
    if not server_side:
        # A database may trust several unrelated CAs; only a bundle out of order is news.
        misplaced = [
            i
            for i, cert in enumerate(certs)
            if not cert.self_signed and any(c.subject == cert.issuer for c in certs[:i])
        ]
        if not misplaced:
            return []
        return [
            Finding(
                "info",
                "chain-order",
                f"{certs[misplaced[0]].label} comes after its issuer; bundles read leaf -> root",
                _where(misplaced[0]),
            )
        ]
    broken = next(
        i
        for i in range(len(certs) - 1)
        if certs[i].issuer != certs[i + 1].subject or certs[i].self_signed
    )
    return [
        Finding(
            "error",
            "chain-order",
            f"certificate {broken + 2} ({certs[broken + 1].label}) did not issue certificate "
            f"{broken + 1} ({certs[broken].label}); the {context} bundle must be one chain: "
            "the leaf, then each issuer up to the root",
            _where(broken + 1),
        )
    ]


def _san_mismatch(cert: CertificateInfo, context: str, fqdn: str) -> list[Finding]:
    """The four DNS names are what the documentation asks of CA-signed certificates
    (security/certificates/create-certificates, "Create CA-signed certificates"); the
    product's own self-signed ones carry only the FQDN and its wildcard."""
    required = cluster_names(fqdn)[:2] if cert.self_signed else cluster_names(fqdn)
    missing = [name for name in required if not any(dns_covers(d, name) for d in cert.dns_names)]
    if not missing:
        return []
    return [
        Finding(
            "error" if context == "proxy" else "warning",
            "san-mismatch",
            f"{cert.label} does not cover {', '.join(missing)}; the {context} certificate needs "
            f"the DNS names {', '.join(required)}",
            _where(0),
        )
    ]


def _key_mismatch(cert: CertificateInfo, key: PrivateKeyTypes) -> list[Finding]:
    from .keys import key_matches

    if key_matches(cert, key):
        return []
    return [
        Finding(
            "error",
            "key-mismatch",
            f"the private key does not belong to {cert.label}: give the key the CSR was "
            "created with",
            _where(0),
        )
    ]


def check(
    certificates: Sequence[CertificateInfo],
    context: str,
    *,
    fqdn: str | None = None,
    key: PrivateKeyTypes | None = None,
    now: datetime | None = None,
    alongside: Sequence[CertificateInfo] = (),
) -> list[Finding]:
    """Every finding about ``certificates`` (one paste, in order) for ``context``.

    ``where`` is ``certificate N`` (1-based, in the order given). ``fqdn`` enables the SAN
    check of proxy and syncer certificates; ``key`` the key match of the first certificate;
    ``alongside`` are the certificates a database already trusts beside these (client).
    """
    if context not in CONTEXTS:
        raise ValueError(f"context {context!r} is not one of {', '.join(CONTEXTS)}")
    now = now or utcnow()
    certs = list(certificates)
    findings: list[Finding] = []
    for index, cert in enumerate(certs):
        where = _where(index)
        findings += _validity(cert, where, now)
        findings += _strength(cert, where)
        findings += _tls_key(cert, where)
        findings += _self_signed(cert, where, context)
    if context in ("client", "ca"):
        findings += _client_auth(certs, context)
    if context == "client":
        findings += _leaf_without_ca(certs, alongside)
    if context in _SERVER_SIDE and certs:
        findings += _server_side_leaf(certs[0], context)
        findings += _client_auth(certs, context, start=1)
        if fqdn:
            findings += _san_mismatch(certs[0], context, fqdn)
    findings += _chain_order(certs, context)
    if key is not None and certs:
        findings += _key_mismatch(certs[0], key)
    return findings
