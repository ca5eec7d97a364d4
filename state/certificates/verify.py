"""Would the server accept this client certificate? Decided as OpenSSL decides for Redis.

A Redis server with ``tls-ca-cert-file`` (and Redis Enterprise's proxy) verifies clients
with OpenSSL: purpose ``sslclient``, no partial chains, security level 2. The decision is
made with ``cryptography.x509.verification`` (its client verifier), adjusted to match:

- extension policies relaxed to what OpenSSL accepts: a CN-only client certificate
  without subjectAltName, a CA without keyUsage, non-critical basicConstraints, missing
  key identifiers;
- OpenSSL's own rules added: an extendedKeyUsage must list clientAuth (on the leaf and on
  every CA), a leaf keyUsage must allow digitalSignature or keyAgreement, a CA keyUsage
  must allow keyCertSign;
- no partial chains: only self-signed trusted certificates are trust anchors; trusted
  certificates that are not self-signed only help build the chain, as in OpenSSL without
  ``X509_V_FLAG_PARTIAL_CHAIN`` (a self-signed client certificate trusted directly is
  therefore accepted, as OpenSSL accepts it);
- security level 2 (what Debian's OpenSSL and Redis use by default): RSA and DSA keys of
  at least 2048 bits and EC keys of at least 224 anywhere in the chain (cryptography does
  not check the leaf's key size), no MD5 or SHA-1 signatures (cryptography refuses those).

What a strict web-PKI verifier would refuse on top of that is reported as warnings.
cryptography stays stricter than OpenSSL in a few rare ways (version 1 roots, curves other
than P-256/384/521, unusual serial numbers): such certificates are rejected here although
OpenSSL would accept them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import verification as v
from cryptography.x509.oid import ExtendedKeyUsageOID

from ..findings import Finding
from .describe import fingerprint_der, load_pem
from .info import CertificateInfo, utcnow

# Security level 2: 112-bit security.
LEVEL2_MIN_BITS = {"RSA": 2048, "DSA": 2048, "DH": 2048, "EC": 224}
_WEAK_HASHES = {"md2", "md4", "md5", "sha1"}
_MAX_DEPTH = 10


@dataclass(frozen=True)
class Verdict:
    """The server's decision: the chain it built (SHA-256s, leaf -> root) or why not."""

    accepted: bool
    chain: list[str] = field(default_factory=list)
    reason: str = ""
    warnings: list[Finding] = field(default_factory=list)


# --- OpenSSL's rules as extension validators ---------------------------------------------


def _require_client_auth(_policy: object, _cert: x509.Certificate, eku: object) -> None:
    if isinstance(eku, x509.ExtendedKeyUsage) and ExtendedKeyUsageOID.CLIENT_AUTH not in eku:
        raise ValueError("extendedKeyUsage does not include clientAuth")


def _leaf_key_usage(_policy: object, _cert: x509.Certificate, ku: object) -> None:
    if isinstance(ku, x509.KeyUsage) and not (ku.digital_signature or ku.key_agreement):
        raise ValueError("keyUsage allows neither digitalSignature nor keyAgreement")


def _ca_key_usage(_policy: object, _cert: x509.Certificate, ku: object) -> None:
    if isinstance(ku, x509.KeyUsage) and not ku.key_cert_sign:
        raise ValueError("keyUsage of a CA does not include keyCertSign")


def _is_ca(_policy: object, _cert: x509.Certificate, bc: object) -> None:
    if not (isinstance(bc, x509.BasicConstraints) and bc.ca):
        raise ValueError("basicConstraints does not say CA:TRUE")


@functools.cache
def _policies() -> tuple[v.ExtensionPolicy, v.ExtensionPolicy]:
    agnostic = v.Criticality.AGNOSTIC
    ca = (
        v.ExtensionPolicy.webpki_defaults_ca()
        .require_present(x509.BasicConstraints, agnostic, _is_ca)
        .may_be_present(x509.KeyUsage, agnostic, _ca_key_usage)
        .may_be_present(x509.ExtendedKeyUsage, agnostic, _require_client_auth)
        .may_be_present(x509.AuthorityKeyIdentifier, agnostic, None)
        .may_be_present(x509.SubjectKeyIdentifier, agnostic, None)
        .may_be_present(x509.AuthorityInformationAccess, agnostic, None)
    )
    ee = (
        v.ExtensionPolicy.webpki_defaults_ee()
        .may_be_present(x509.SubjectAlternativeName, agnostic, None)
        .may_be_present(x509.BasicConstraints, agnostic, None)
        .may_be_present(x509.KeyUsage, agnostic, _leaf_key_usage)
        .may_be_present(x509.ExtendedKeyUsage, agnostic, _require_client_auth)
        .may_be_present(x509.AuthorityKeyIdentifier, agnostic, None)
        .may_be_present(x509.SubjectKeyIdentifier, agnostic, None)
        .may_be_present(x509.AuthorityInformationAccess, agnostic, None)
    )
    return ca, ee


def _verify(
    peer: CertificateInfo,
    pool: list[CertificateInfo],
    anchors: list[CertificateInfo],
    now: datetime,
    *,
    strict: bool,
) -> list[x509.Certificate]:
    builder = v.PolicyBuilder().store(v.Store([load_pem(a.pem) for a in anchors])).time(now)
    if not strict:
        ca, ee = _policies()
        builder = builder.extension_policies(ca_policy=ca, ee_policy=ee)
    verified = builder.build_client_verifier().verify(
        load_pem(peer.pem), [load_pem(c.pem) for c in pool]
    )
    return list(verified.chain)


def _clean(message: str) -> str:
    """cryptography's message, without its internals (object reprs, parser structs)."""
    text = re.sub(r"\s*\(encountered processing .*$", "", message, flags=re.S)
    text = re.sub(r"^(validation failed: )?(candidates exhausted: )?", "", text)
    text = re.sub(r"Python extension validator failed: \w+: ", "", text)
    if "Forbidden signature algorithm" in text:
        return "a signature algorithm it does not allow"
    if "all candidates exhausted with no interior errors" in text:
        return "no chain to a trusted root could be built"
    return text[:160]


# --- why a chain is refused, in the administrator's words --------------------------------


def _unique(certs: list[CertificateInfo]) -> list[CertificateInfo]:
    seen: set[str] = set()
    result = []
    for cert in certs:
        if cert.sha256 not in seen:
            seen.add(cert.sha256)
            result.append(cert)
    return result


def _weak_key(cert: CertificateInfo) -> str | None:
    minimum = LEVEL2_MIN_BITS.get(cert.key_type)
    if minimum is not None and cert.key_bits is not None and cert.key_bits < minimum:
        return (
            f"{cert.label} has a {cert.key_bits}-bit {cert.key_type} key; OpenSSL at security "
            f"level 2 refuses keys under {minimum} bits"
        )
    return None


def _cert_problem(cert: CertificateInfo, now: datetime, *, leaf: bool) -> str | None:
    day = "%Y-%m-%d"
    if cert.not_after < now:
        return f"{cert.label} expired on {cert.not_after:{day}}"
    if cert.not_before > now:
        return f"{cert.label} is not valid before {cert.not_before:{day} %H:%M} UTC"
    eku = cert.extended_key_usage
    if eku and "clientAuth" not in eku:
        return (
            f"{cert.label} has extended key usage {', '.join(eku)} without clientAuth, "
            "so OpenSSL refuses it for a client (purpose sslclient)"
        )
    if cert.signature_hash in _WEAK_HASHES and not cert.self_signed:
        return (
            f"{cert.label} is signed with {cert.signature_hash.upper()}, which OpenSSL at "
            "security level 2 refuses"
        )
    weak = _weak_key(cert)
    if weak:
        return weak
    if not leaf and not cert.is_ca and cert.role != "root-ca":
        return f"{cert.label} issued the next certificate but is not a CA (no CA:TRUE)"
    if not leaf and cert.key_usage and "keyCertSign" not in cert.key_usage:
        return f"{cert.label} is a CA whose keyUsage does not allow keyCertSign"
    return None


def _diagnose(
    peer: CertificateInfo,
    pool: list[CertificateInfo],
    anchors: list[CertificateInfo],
    now: datetime,
    message: str,
) -> str:
    """The first thing on the way from the peer to a root that OpenSSL would refuse."""
    anchor_ids = {a.sha256 for a in anchors}
    candidates = _unique(pool + anchors)
    path = [peer]
    current = peer
    while not current.self_signed and len(path) <= _MAX_DEPTH:
        issuers = [
            c
            for c in candidates
            if c.subject == current.issuer and c.sha256 not in {p.sha256 for p in path}
        ]
        if not issuers:
            break
        current = next((c for c in issuers if c.sha256 in anchor_ids), issuers[0])
        path.append(current)
    for index, cert in enumerate(path):
        problem = _cert_problem(cert, now, leaf=index == 0)
        if problem:
            return problem
    top = path[-1]
    if not top.self_signed:
        if top is peer:
            return (
                f"no trusted certificate or given intermediate issued it (its issuer is "
                f"{peer.issuer or 'unreadable'}): the database trusts a different CA, or the "
                "intermediate CA is missing"
            )
        return (
            f"the chain stops at {top.label}: its issuer ({top.issuer}) is neither trusted "
            "nor given, and OpenSSL needs the chain to end at a trusted self-signed root"
        )
    if top.sha256 not in anchor_ids:
        if top is peer:
            return "it is self-signed and the database does not trust it: add it to trust it"
        return f"the chain ends at {top.label}, a root CA the database does not trust: add it"
    return f"the verifier refused it: {_clean(message)}"


# --- warnings: what a strict web-PKI client would refuse ---------------------------------


def _strictness(
    chain: list[CertificateInfo],
    peer: CertificateInfo,
    pool: list[CertificateInfo],
    trusted: list[CertificateInfo],
    now: datetime,
) -> list[Finding]:
    warnings: list[Finding] = []
    if not peer.sans:
        warnings.append(
            Finding(
                "warning",
                "no-san",
                f"{peer.label} has no subjectAltName: Redis accepts it (OpenSSL does not need "
                "one), but strict web-PKI verifiers refuse it",
                "certificate 1",
            )
        )
    for cert in chain[1:]:
        if not cert.key_usage and "key_usage" not in cert.unreadable:
            warnings.append(
                Finding(
                    "warning",
                    "ca-without-key-usage",
                    f"the CA {cert.label} has no keyUsage extension: OpenSSL accepts it, "
                    "strict web-PKI verifiers refuse it",
                    cert.label,
                )
            )
    if not warnings:
        try:
            _verify(peer, pool, trusted, now, strict=True)
        except Exception as error:
            warnings.append(
                Finding(
                    "warning",
                    "web-pki-strict",
                    f"OpenSSL accepts this chain, but a strict web-PKI verifier refuses it: "
                    f"{_clean(str(error))}",
                    "certificate 1",
                )
            )
    return warnings


def verify_client(
    peer: CertificateInfo,
    intermediates: list[CertificateInfo],
    trusted: list[CertificateInfo],
    *,
    now: datetime | None = None,
) -> Verdict:
    """Would a server whose ``tls-ca-cert-file`` holds ``trusted`` accept ``peer``?

    ``intermediates`` are what the client sends after its certificate. Never raises for
    certificates it was given; see the module docstring for the exact rules.
    """
    now = now or utcnow()
    if not trusted:
        return Verdict(
            False,
            reason="the database trusts no certificate yet: add the CA that issued the client "
            "certificate (or the certificate itself)",
        )
    anchors = _unique([t for t in trusted if t.self_signed])
    links = [t for t in trusted if not t.self_signed]
    pool = _unique([c for c in [*intermediates, *links] if c.sha256 != peer.sha256])
    if not anchors:
        reason = _diagnose(peer, pool, anchors, now, "")
        return Verdict(False, reason=reason)
    try:
        chain = _verify(peer, pool, anchors, now, strict=False)
    except Exception as error:  # VerificationError, or a certificate it cannot process
        return Verdict(False, reason=_diagnose(peer, pool, anchors, now, str(error)))
    known = {c.sha256: c for c in [peer, *pool, *anchors]}
    ids = [fingerprint_der(c.public_bytes(serialization.Encoding.DER)) for c in chain]
    infos = [known[i] for i in ids if i in known]
    for info in infos:
        weak = _weak_key(info)
        if weak:
            return Verdict(False, reason=weak)
    path = " -> ".join(info.label for info in infos)
    return Verdict(
        True,
        chain=ids,
        reason=f"accepted: {path}",
        warnings=_strictness(infos, peer, intermediates, list(trusted), now),
    )
