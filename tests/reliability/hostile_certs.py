"""Certificates carrying the hostile text corpus in every field a screen or a line shows:
CN, O, OU, and DNS, URI and e-mail SANs (plus an otherName holding the payload as UTF-8).

cryptography refuses non-ASCII SAN values at the front door, so SANs are built with its
unvalidated constructor: the bytes an attacker's own tooling would write. Subject
attributes take any text up to their length limit (64 characters).
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hostile import Payload

FIELDS = ("cn", "o", "ou", "dns", "uri", "email", "othername")
UPN = x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")


@dataclass(frozen=True)
class HostileCertificate:
    id: str
    payload: Payload
    field: str
    pem: bytes


@functools.cache
def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _utf8_der(text: str) -> bytes:
    data = text.encode("utf-8", "surrogatepass")
    assert len(data) < 128
    return bytes([0x0C, len(data)]) + data


def _subject(payload: str, field: str) -> x509.Name:
    value = payload[:60] or "x"
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, value if field == "cn" else "hostile.example.com")
    ]
    if field == "o":
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, value))
    if field == "ou":
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, value))
    return x509.Name(attributes)


def _sans(payload: str, field: str) -> list[x509.GeneralName]:
    sans: list[x509.GeneralName] = [x509.DNSName("hostile.example.com")]
    if field == "dns":
        sans.append(x509.DNSName._init_without_validation(payload))
    elif field == "uri":
        sans.append(x509.UniformResourceIdentifier._init_without_validation(f"https://{payload}"))
    elif field == "email":
        sans.append(x509.RFC822Name._init_without_validation(f"a{payload}@example.com"))
    elif field == "othername":
        sans.append(x509.OtherName(UPN, _utf8_der(payload[:60])))
    return sans


def hostile_certificate(payload: Payload, field: str, *, ca: bool = True) -> HostileCertificate:
    """A self-signed certificate with `payload` in `field`: a CA by default (what a
    database's trusted list accepts without a chain), a client leaf otherwise."""
    key = _key()
    subject = _subject(payload.text, field)
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(_sans(payload.text, field)), critical=False)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    certificate = builder.sign(key, hashes.SHA256())
    return HostileCertificate(
        f"{field}-{payload.id}", payload, field, certificate.public_bytes(Encoding.PEM)
    )


def hostile_certificates(found: list[Payload], fields=FIELDS) -> list[HostileCertificate]:
    """Every payload in every field."""
    return [hostile_certificate(p, field) for p in found for field in fields]
