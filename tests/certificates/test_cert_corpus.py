"""Every file of cryptography-vectors' x509/ folder: we agree with `openssl x509` on the
SHA-256 fingerprint, notAfter and SAN DNS names of every certificate both can read, and
read() returns (never raises) on all the rest: CRLs, PKCS#12, S/MIME, CSRs, broken DER."""

from __future__ import annotations

import datetime as dt
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from certificate_helpers import OPENSSL, openssl

from state.certificates import read
from state.certificates.info import KINDS, ReadResult

cryptography_vectors = pytest.importorskip("cryptography_vectors")

X509 = Path(os.path.dirname(cryptography_vectors.__file__)) / "x509"
FILES = sorted(p for p in X509.rglob("*") if p.is_file())


def _openssl_view(path: Path) -> tuple[str, dt.datetime | None, list[str]] | None:
    """(sha256, notAfter, SAN DNS names) of the first certificate openssl reads, or None.

    notAfter is None when openssl cannot print it ("Bad time value")."""
    data = path.read_bytes()
    form = "PEM" if b"-----BEGIN" in data else "DER"
    done = openssl(
        "x509", "-noout", "-fingerprint", "-sha256", "-enddate", "-ext", "subjectAltName",
        "-inform", form, "-in", str(path),
    )  # fmt: skip
    if done.returncode != 0:
        return None
    out = done.stdout.decode("utf-8", "replace")
    sha = re.search(r"Fingerprint=([0-9A-F:]+)", out)
    end = re.search(r"notAfter=(.+)", out)
    if not sha or not end:
        return None
    try:
        not_after = dt.datetime.strptime(end.group(1).strip(), "%b %d %H:%M:%S %Y GMT")
    except ValueError:
        not_after = None
    san = re.search(r"X509v3 Subject Alternative Name:.*\n(.*)", out)
    dns = re.findall(r"DNS:([^,\n]*)", san.group(1)) if san else []
    sha256 = sha.group(1).replace(":", "").lower()
    return sha256, not_after and not_after.replace(tzinfo=dt.UTC), dns


def test_the_corpus_is_there():
    assert len(FILES) > 1000
    assert {p.suffix for p in FILES} >= {".pem", ".der", ".crl", ".p12", ".crt"}


# `openssl x509` reads no certificate from these containers (PKCS#12, S/MIME mail, CRLs,
# certificate pairs: 0 of the 1150 in this corpus), so it is not started for them unless
# we found a certificate inside; that halves the test's time. read() still reads them all.
NOT_CERTIFICATE_CONTAINERS = {".p12", ".eml", ".crl", ".cp"}


@pytest.mark.skipif(not OPENSSL, reason="needs the openssl CLI")
def test_corpus_agrees_with_openssl():
    results = {path: read(path.read_bytes()) for path in FILES}  # must return, whatever
    to_ask = [
        path
        for path, result in results.items()
        if path.suffix not in NOT_CERTIFICATE_CONTAINERS or result.certificates
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        views = dict(zip(to_ask, pool.map(_openssl_view, to_ask), strict=True))
    compared = 0
    problems: list[str] = []
    for path, result in results.items():
        name = str(path.relative_to(X509))
        assert isinstance(result, ReadResult)
        assert all(item.kind in KINDS for item in result.items), name
        view = views.get(path)
        if view is None:
            continue
        sha, not_after, dns = view
        matching = [c for c in result.certificates if c.sha256 == sha]
        if not matching:
            # openssl reads it and cryptography refuses it (bad time encoding, invalid
            # version, DSA parameter inheritance...): we must say it is malformed.
            if not any(f.code == "malformed" for f in result.findings):
                problems.append(f"{name}: openssl read {sha[:16]}, we did not")
            continue
        cert = matching[0]
        compared += 1
        if not_after is not None and cert.not_after != not_after:
            problems.append(f"{name}: notAfter {cert.not_after} != openssl {not_after}")
        if "subject_alternative_name" not in cert.unreadable and list(cert.dns_names) != dns:
            problems.append(f"{name}: SAN DNS {cert.dns_names[:3]} != openssl {dns[:3]}")
    assert problems == []
    assert compared > 500  # the comparison really ran
