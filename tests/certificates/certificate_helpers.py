"""Helpers for the inspector's tests: certificates issue.py cannot make, and openssl."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from state.certificates.issue import KeyAndCertificate

OPENSSL = shutil.which("openssl")
FQDN = "cluster1.example.com"

_SHA256_RSA = bytes.fromhex("06092a864886f70d01010b")
_SHA1_RSA = bytes.fromhex("06092a864886f70d010105")


def _tlv(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        head = bytes([size])
    else:
        octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(octets)]) + octets
    return bytes([tag]) + head + content


def resign_sha1(subject: KeyAndCertificate, issuer: KeyAndCertificate) -> KeyAndCertificate:
    """The same certificate, signed with SHA-1 by ``issuer``.

    cryptography 50 refuses to sign with SHA-1, so the TBSCertificate is taken from a
    SHA-256 certificate, its algorithm identifier swapped (both OIDs are 9 bytes long) and
    signed with RSA PKCS#1 v1.5 over SHA-1 by hand.
    """
    certificate = x509.load_pem_x509_certificate(subject.pem)
    key = serialization.load_pem_private_key(issuer.key_pem, password=None)
    tbs = certificate.tbs_certificate_bytes
    assert _SHA256_RSA in tbs
    tbs = tbs.replace(_SHA256_RSA, _SHA1_RSA, 1)
    signature = key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())  # type: ignore[union-attr]
    algorithm = _tlv(0x30, _SHA1_RSA + b"\x05\x00")
    der = _tlv(0x30, tbs + algorithm + _tlv(0x03, b"\x00" + signature))
    pem = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
    return KeyAndCertificate(subject.key_pem, pem)


def openssl(*args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    assert OPENSSL, "openssl is needed for this test"
    return subprocess.run([OPENSSL, *args], input=data, capture_output=True, timeout=60)


def write(folder: Path, name: str, *pems: bytes) -> Path:
    path = folder / name
    path.write_bytes(b"".join(pems))
    return path


def key_body_chunks(pem: bytes, size: int = 16) -> list[str]:
    """Slices of a key's base64 body: none may ever show up in output."""
    lines = [
        line.strip()
        for line in pem.decode("ascii").splitlines()
        if line.strip() and not line.startswith("-----") and ":" not in line
    ]
    body = "".join(lines)
    return [body[i : i + size] for i in range(0, max(len(body) - size, 1), size)]
