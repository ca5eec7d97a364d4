"""OpenSSL's verification errors in the administrator's words: one line, saying the fix.

The decision is OpenSSL's (``openssl_chain``); this module only explains it. Each sentence
names the certificate the error is about (OpenSSL reports it with the error) and what to
change. The ``X509_V_ERR_*`` name travels beside it in the verdict, for scripts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .info import CertificateInfo
from .openssl_chain import ChainResult

# Critical extensions OpenSSL 3 handles (X509_supported_extension); any other critical
# extension makes it refuse the certificate.
_HANDLED_CRITICAL = frozenset(
    {
        "2.16.840.1.113730.1.1",  # nsCertType
        "2.5.29.15",  # keyUsage
        "2.5.29.17",  # subjectAltName
        "2.5.29.19",  # basicConstraints
        "2.5.29.32",  # certificatePolicies
        "2.5.29.37",  # extendedKeyUsage
        "1.3.6.1.5.5.7.1.14",  # proxyCertInfo
        "1.3.6.1.5.5.7.1.7",  # sbgp-ipAddrBlock
        "1.3.6.1.5.5.7.1.8",  # sbgp-autonomousSysNum
        "2.5.29.36",  # policyConstraints
        "2.5.29.30",  # nameConstraints
        "2.5.29.33",  # policyMappings
        "2.5.29.54",  # inhibitAnyPolicy
    }
)

_ISSUER_MISSING = frozenset({2, 20, 21})


def unhandled_critical(cert: CertificateInfo) -> list[str]:
    """Names of the critical extensions of ``cert`` that OpenSSL does not handle."""
    from .describe import load_pem

    try:
        extensions = list(load_pem(cert.pem).extensions)
    except Exception:  # an extension cryptography cannot parse: OpenSSL named the error
        return []
    names = []
    for extension in extensions:
        oid = extension.oid
        if extension.critical and oid.dotted_string not in _HANDLED_CRITICAL:
            name = getattr(oid, "_name", "Unknown OID")
            names.append(oid.dotted_string if name == "Unknown OID" else name)
    return names


def _day(cert: CertificateInfo, attribute: str) -> str:
    return f"{getattr(cert, attribute):%Y-%m-%d %H:%M:%S} UTC"


def _issuer_missing(
    cert: CertificateInfo, peer: CertificateInfo, trusted: Sequence[CertificateInfo]
) -> str:
    issuer = cert.issuer or "an unnamed issuer"
    trusted_ids = {t.sha256 for t in trusted}
    if cert.sha256 == peer.sha256 and cert.sha256 in trusted_ids:
        return (
            f"the database trusts {cert.label} itself, but a redis-server (OpenSSL without "
            f"partial chains) also needs the CA that issued it: add that CA ({issuer}) to the "
            "trusted certificates"
        )
    if cert.sha256 in trusted_ids:
        return (
            f"the chain stops at {cert.label}, a trusted CA that is not self-signed: OpenSSL "
            f"needs the chain to end at a trusted self-signed root, so add its issuer ({issuer})"
        )
    if cert.sha256 == peer.sha256:
        return (
            f"no trusted certificate or given intermediate issued {cert.label} (its issuer is "
            f"{issuer}): the database trusts a different CA, or the intermediate CA is missing; "
            "add that CA or send the intermediate with the client certificate"
        )
    return (
        f"the chain stops at {cert.label}: its issuer ({issuer}) is neither trusted nor given; "
        "add that CA to the trusted certificates"
    )


def _key_too_small(cert: CertificateInfo) -> str:
    size = f"{cert.key_bits}-bit {cert.key_type} key" if cert.key_bits else f"{cert.key_type} key"
    return (
        f"{cert.label} has a {size}, weaker than the 112-bit security a redis-server asks at "
        "security level 2 (RSA and DSA 2048 bits, EC 224): issue it again with a stronger key"
    )


def _purpose(cert: CertificateInfo) -> str:
    eku = cert.extended_key_usage
    if eku and "clientAuth" not in eku:
        why = f"its extended key usage ({', '.join(eku)}) lacks clientAuth"
    elif (
        not cert.is_ca
        and cert.key_usage
        and not ({"digitalSignature", "keyAgreement"} & set(cert.key_usage))
    ):
        why = f"its key usage ({', '.join(cert.key_usage)}) lacks digitalSignature"
    else:
        why = "its extensions do not allow client authentication"
    return (
        f"OpenSSL refuses {cert.label} for a client (purpose sslclient): {why}; issue it again "
        "with extendedKeyUsage clientAuth"
    )


def _invalid_ca(cert: CertificateInfo) -> str:
    if cert.is_ca and cert.key_usage and "keyCertSign" not in cert.key_usage:
        why = f"its keyUsage ({', '.join(cert.key_usage)}) lacks keyCertSign"
        fix = "issue the CA again with keyCertSign"
    else:
        why = "it lacks basicConstraints CA:TRUE"
        fix = "use the real CA certificate, or issue this one again as a CA"
    return f"{cert.label} issued the next certificate but OpenSSL does not take it as a CA: {why}; {fix}"


def _critical(cert: CertificateInfo) -> str:
    names = unhandled_critical(cert)
    which = f" ({', '.join(names)})" if names else ""
    return (
        f"{cert.label} marks an extension critical that OpenSSL does not handle{which}: issue "
        "it again with that extension non-critical"
    )


_FIXED: dict[int, Callable[[CertificateInfo], str]] = {
    9: lambda c: (
        f"{c.label} is not valid before {_day(c, 'not_before')}: wait until then or check the "
        "issuing machine's clock"
    ),
    10: lambda c: (
        f"{c.label} expired at {_day(c, 'not_after')}: replace it with a current certificate"
    ),
    18: lambda c: (
        f"{c.label} is self-signed and the database does not trust it: add it to the trusted "
        "certificates"
    ),
    19: lambda c: (
        f"the chain ends at {c.label}, a root CA the database does not trust: add it to the "
        "trusted certificates, or use a certificate from a CA the database trusts"
    ),
    7: lambda c: (
        f"the signature on {c.label} does not match its issuer's key: it was damaged, or "
        "another CA with the same name issued it; use the right CA"
    ),
    24: lambda c: _invalid_ca(c),
    79: lambda c: _invalid_ca(c),
    25: lambda c: (
        f"{c.label} allows fewer CAs below it than this chain has (pathLenConstraint): issue "
        "the client certificate from a CA closer to it"
    ),
    32: lambda c: (
        f"{c.label} is a CA whose keyUsage does not allow keyCertSign: issue it again with "
        "keyCertSign"
    ),
    26: _purpose,
    34: _critical,
    66: _key_too_small,
    67: _key_too_small,
    68: lambda c: (
        f"{c.label} is signed with {(c.signature_hash or 'a weak hash').upper()}, which a "
        "redis-server at security level 2 refuses: have it issued again with SHA-256"
    ),
    47: lambda c: (
        f"a name of {c.label} (a SAN, or its CN or emailAddress when it has no SAN) lies outside "
        "the names a CA above it is permitted: issue it with a name inside that CA's constraints"
    ),
    48: lambda c: (
        f"a name of {c.label} (a SAN, or its CN or emailAddress when it has no SAN) is in a "
        "subtree a CA above it excludes: issue it with a name that CA allows"
    ),
    22: lambda c: f"the chain through {c.label} is longer than OpenSSL allows: use a shorter one",
    55: lambda c: f"the chain loops back to {c.label}: remove the duplicate certificate",
}


def reason_for(
    result: ChainResult,
    cert: CertificateInfo | None,
    peer: CertificateInfo,
    trusted: Sequence[CertificateInfo],
) -> str:
    """One line: what OpenSSL refused, about which certificate, and what to do."""
    subject = cert or peer
    if result.error in _ISSUER_MISSING:
        return _issuer_missing(subject, peer, trusted)
    explain = _FIXED.get(result.error)
    if explain is not None:
        return explain(subject)
    text = result.error_text or "verification failed"
    return f"OpenSSL refuses {subject.label}: {text} ({result.error_name})"
