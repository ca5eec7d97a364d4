"""Would the server accept this client certificate? OpenSSL decides, as for Redis.

The verdict is OpenSSL's own chain verification (``X509_verify_cert``, see
``openssl_chain``) set up as a TLS server checks its client: purpose and trust
``sslclient``, security level 2 as the authentication level, no partial chains. The trusted
store is the database's trusted certificates (``tls-ca-cert-file``), the untrusted list is
what the client sends after its certificate, and the time is the given time (``-attime``).
So the verdict matches ``openssl verify -purpose sslclient -auth_level 2 -attime T`` and a
redis-server running on the same OpenSSL.

cryptography's strict web-PKI verifier is kept only for warnings about an accepted chain:
what a stricter client would refuse although OpenSSL accepts it.
"""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.x509 import verification as v

from ..findings import Finding
from .describe import load_pem
from .info import CertificateInfo, utcnow
from .openssl_chain import (
    OpenSSLUnavailable,
    UnreadableCertificate,
    library_version,
    verify_chain,
)
from .verdict_reasons import reason_for


@dataclass(frozen=True)
class Verdict:
    """The server's decision: the chain OpenSSL built (SHA-256s, leaf -> root) or why not.

    ``error`` is OpenSSL's ``X509_V_ERR_*`` name (empty when accepted), ``openssl`` the
    library version that decided, ``depth`` the chain position the error is about.
    """

    accepted: bool
    chain: list[str] = field(default_factory=list)
    reason: str = ""
    warnings: list[Finding] = field(default_factory=list)
    error: str = ""
    openssl: str = ""
    depth: int | None = None


def _der(cert: CertificateInfo) -> bytes:
    return ssl.PEM_cert_to_DER_cert(cert.pem.strip())


def _strict_failure(chain: list[CertificateInfo], now: datetime) -> str | None:
    """Why cryptography's web-PKI client verifier refuses the chain OpenSSL built, or None."""
    try:
        certs = [load_pem(c.pem) for c in chain]
        verifier = v.PolicyBuilder().store(v.Store([certs[-1]])).time(now)
        verifier.build_client_verifier().verify(certs[0], certs[1:-1])
    except Exception as error:
        return _clean(str(error))
    return None


def _clean(message: str) -> str:
    """cryptography's message as one plain clause, never its internal structures."""
    text = re.sub(r"\s*\(encountered processing .*$", "", message, flags=re.S)
    text = re.sub(r"^(validation failed: )?(candidates exhausted: )?", "", text)
    if "Forbidden signature algorithm" in text or "signature algorithm" in text.lower():
        return "it does not allow one of the signature algorithms"
    if "all candidates exhausted" in text:
        return "it builds no chain to the root"
    if re.search(r"[{}<>]|ParseError|PhantomData|\n", text) or len(text) > 120:
        return "it cannot read one of the certificates as strictly as the web PKI requires"
    return text


def _strictness(chain: list[CertificateInfo], now: datetime) -> list[Finding]:
    """What a strict web-PKI verifier would refuse in the chain OpenSSL accepted."""
    peer = chain[0]
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
    failure = None if warnings else _strict_failure(chain, now)
    if failure:
        warnings.append(
            Finding(
                "warning",
                "web-pki-strict",
                f"OpenSSL accepts this chain, but a strict web-PKI verifier refuses it: {failure}",
                "certificate 1",
            )
        )
    return warnings


def _refused(reason: str, error: str = "", depth: int | None = None) -> Verdict:
    try:
        version = library_version()
    except OpenSSLUnavailable:
        version = ""
    return Verdict(False, reason=reason, error=error, openssl=version, depth=depth)


def verify_client(
    peer: CertificateInfo,
    intermediates: list[CertificateInfo],
    trusted: list[CertificateInfo],
    *,
    now: datetime | None = None,
) -> Verdict:
    """Would a server whose ``tls-ca-cert-file`` holds ``trusted`` accept ``peer``?

    ``intermediates`` are what the client sends after its certificate. Never raises for
    certificates it was given; see the module docstring for how it decides.
    """
    now = now or utcnow()
    if not trusted:
        return _refused(
            "the database trusts no certificate yet: add the CA that issued the client "
            "certificate (or the certificate itself)"
        )
    given = [peer, *intermediates, *trusted]
    try:
        result = verify_chain(
            _der(peer), [_der(c) for c in intermediates], [_der(c) for c in trusted], now
        )
    except UnreadableCertificate as error:
        return _refused(
            f"OpenSSL cannot read {given[error.index].label}: the server would refuse it; "
            "export it again as PEM or DER"
        )
    except (OpenSSLUnavailable, ValueError) as error:
        return _refused(f"no verdict: {error}")
    known = {c.sha256: c for c in given}
    if not result.ok:
        failing = known.get(result.failing)
        return Verdict(
            False,
            reason=reason_for(result, failing, peer, trusted),
            error=result.error_name,
            openssl=result.library,
            depth=result.depth,
        )
    infos = [known[i] for i in result.chain if i in known]
    path = " -> ".join(info.label for info in infos)
    return Verdict(
        True,
        chain=list(result.chain),
        reason=f"accepted: {path}",
        warnings=_strictness(infos, now),
        openssl=result.library,
    )
