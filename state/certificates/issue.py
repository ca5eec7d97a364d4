"""Creating keys, CSRs and certificates: the documented "install your own certificates" steps.

The cluster ships self-signed proxy and syncer certificates (secure by default); an
administrator replaces them with CA-signed ones by creating a key and a CSR here. The
same helpers make the demo state's sample CA and client certificates.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

SigningHash = (
    hashes.SHA224
    | hashes.SHA256
    | hashes.SHA384
    | hashes.SHA512
    | hashes.SHA3_224
    | hashes.SHA3_256
    | hashes.SHA3_384
    | hashes.SHA3_512
)
"""The digests cryptography signs a certificate with (its `CertificateBuilder.sign`)."""

_NAME_FIELDS: tuple[tuple[str, x509.ObjectIdentifier], ...] = (
    ("country", NameOID.COUNTRY_NAME),
    ("state", NameOID.STATE_OR_PROVINCE_NAME),
    ("locality", NameOID.LOCALITY_NAME),
    ("org", NameOID.ORGANIZATION_NAME),
    ("org_unit", NameOID.ORGANIZATIONAL_UNIT_NAME),
    ("cn", NameOID.COMMON_NAME),
)


@dataclass(frozen=True, slots=True)
class SubjectFields:
    """The CSR fields the product documents: C, ST, L, O, OU and CN (CN = database FQDN)."""

    cn: str
    country: str = ""
    state: str = ""
    locality: str = ""
    org: str = ""
    org_unit: str = ""

    def to_name(self) -> x509.Name:
        attributes = []
        for attr, oid in _NAME_FIELDS:
            value = getattr(self, attr).strip()
            if value:
                attributes.append(x509.NameAttribute(oid, value))
        return x509.Name(attributes)


@dataclass(frozen=True, slots=True)
class KeyAndCertificate:
    """PEM texts of a private key and its certificate (or CSR)."""

    key_pem: bytes
    pem: bytes
    extra: dict[str, bytes] = field(default_factory=dict)

    def loaded(self) -> tuple[x509.Certificate, PrivateKey]:
        """The certificate and key as cryptography objects, to sign with (a CA)."""
        key = serialization.load_pem_private_key(self.key_pem, password=None)
        if not isinstance(key, PrivateKey):
            raise ValueError(f"a {type(key).__name__} cannot sign here: only RSA and EC keys")
        return x509.load_pem_x509_certificate(self.pem), key


CLUSTER_CERTIFICATE_DAYS = 365
"""How long the self-signed proxy and syncer certificates a new state gets are valid."""


def cluster_sans(fqdn: str) -> list[str]:
    """The names a proxy or syncer certificate must cover, as the product documents them."""
    return [fqdn, f"*.{fqdn}", f"internal.{fqdn}", f"*.internal.{fqdn}"]


def new_private_key(key_type: str = "rsa", bits: int = 2048) -> PrivateKey:
    if key_type == "rsa":
        if bits < 2048:
            raise ValueError(f"an RSA key needs at least 2048 bits, not {bits}")
        return rsa.generate_private_key(public_exponent=65537, key_size=bits)
    if key_type == "ec":
        curves = {256: ec.SECP256R1(), 384: ec.SECP384R1(), 521: ec.SECP521R1()}
        curve = curves.get(bits, ec.SECP256R1())
        return ec.generate_private_key(curve)
    raise ValueError(f"key type {key_type!r} is not one of rsa, ec")


def private_key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _general_names(names: list[str]) -> list[x509.GeneralName]:
    general: list[x509.GeneralName] = []
    for name in names:
        try:
            general.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            if "@" in name:
                general.append(x509.RFC822Name(name))
            elif "://" in name:
                general.append(x509.UniformResourceIdentifier(name))
            else:
                general.append(x509.DNSName(name))
    return general


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _eku(usages: tuple[str, ...]) -> x509.ExtendedKeyUsage:
    table = {
        "serverAuth": ExtendedKeyUsageOID.SERVER_AUTH,
        "clientAuth": ExtendedKeyUsageOID.CLIENT_AUTH,
    }
    return x509.ExtendedKeyUsage([table[u] for u in usages])


def build_certificate(
    subject: x509.Name,
    public_key,
    issuer: x509.Name,
    signing_key: PrivateKey,
    *,
    sans: list[str] | None = None,
    is_ca: bool = False,
    eku: tuple[str, ...] = ("serverAuth", "clientAuth"),
    days: int = 365,
    not_before: dt.datetime | None = None,
    hash_algorithm: SigningHash | None = None,
    key_usage: bool = True,
    issuer_key_for_aki=None,
) -> x509.Certificate:
    """One X.509 certificate with the extensions a Redis server and client expect."""
    start = not_before or (_utcnow() - dt.timedelta(minutes=5))
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    aki_key = issuer_key_for_aki if issuer_key_for_aki is not None else signing_key.public_key()
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(aki_key), critical=False
    )
    if key_usage:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=not is_ca and isinstance(public_key, rsa.RSAPublicKey),
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    if not is_ca and eku:
        builder = builder.add_extension(_eku(eku), critical=False)
    if sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(_general_names(sans)), critical=False
        )
    return builder.sign(signing_key, hash_algorithm or hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def self_signed_cluster_certificate(
    fqdn: str,
    *,
    days: int = CLUSTER_CERTIFICATE_DAYS,
    not_before: dt.datetime | None = None,
    extra_sans: Sequence[str] = (),
) -> KeyAndCertificate:
    """What the cluster ships with: RSA 2048, SHA-256, the FQDN SAN set, serverAuth+clientAuth;
    `extra_sans` adds the addresses clients connect by (IP addresses, DNS names), so that
    clients which check host names accept the server."""
    key = new_private_key("rsa", 2048)
    name = SubjectFields(cn=fqdn).to_name()
    sans = cluster_sans(fqdn)
    sans += [extra for extra in extra_sans if extra not in sans]
    certificate = build_certificate(
        name,
        key.public_key(),
        name,
        key,
        sans=sans,
        days=days,
        not_before=not_before,
    )
    return KeyAndCertificate(private_key_pem(key), _pem(certificate))


def certificate_authority(
    cn: str, *, days: int = 3650, key_usage: bool = True, not_before: dt.datetime | None = None
) -> KeyAndCertificate:
    key = new_private_key("rsa", 2048)
    name = SubjectFields(cn=cn, org="redis-tls-wizard").to_name()
    certificate = build_certificate(
        name,
        key.public_key(),
        name,
        key,
        is_ca=True,
        days=days,
        key_usage=key_usage,
        not_before=not_before,
    )
    return KeyAndCertificate(private_key_pem(key), _pem(certificate))


def issue_certificate(
    ca: KeyAndCertificate,
    subject: SubjectFields,
    *,
    sans: list[str] | None = None,
    eku: tuple[str, ...] = ("clientAuth",),
    is_ca: bool = False,
    days: int = 365,
    not_before: dt.datetime | None = None,
    key_type: str = "rsa",
    bits: int = 2048,
    hash_algorithm: SigningHash | None = None,
    key_usage: bool = True,
) -> KeyAndCertificate:
    """A certificate signed by `ca` (a client certificate unless told otherwise)."""
    ca_certificate, ca_key = ca.loaded()
    key: PrivateKey
    if key_type == "rsa" and bits < 2048:
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    else:
        key = new_private_key(key_type, bits)
    certificate = build_certificate(
        subject.to_name(),
        key.public_key(),
        ca_certificate.subject,
        ca_key,
        sans=sans,
        eku=eku,
        is_ca=is_ca,
        days=days,
        not_before=not_before,
        hash_algorithm=hash_algorithm,
        key_usage=key_usage,
    )
    return KeyAndCertificate(private_key_pem(key), _pem(certificate))


def create_key_and_csr(
    fqdn: str,
    subject: SubjectFields | None = None,
    *,
    key_type: str = "rsa",
    bits: int = 2048,
) -> KeyAndCertificate:
    """A new private key and a CSR for the cluster's FQDN SAN set, signed with SHA-256."""
    key = new_private_key(key_type, bits)
    fields = subject or SubjectFields(cn=fqdn)
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(fields.to_name())
        .add_extension(x509.SubjectAlternativeName(_general_names(cluster_sans(fqdn))), False)
        .add_extension(_eku(("serverAuth", "clientAuth")), False)
        .sign(key, hashes.SHA256())
    )
    return KeyAndCertificate(private_key_pem(key), csr.public_bytes(serialization.Encoding.PEM))


def sign_csr(
    ca: KeyAndCertificate, csr_pem: bytes, *, days: int = 365, eku=("serverAuth", "clientAuth")
) -> bytes:
    """Sign a CSR with `ca`, copying its SANs: the CA's part of the documented flow (tests, demo)."""
    csr = x509.load_pem_x509_csr(csr_pem)
    ca_certificate, ca_key = ca.loaded()
    try:
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(v) for v in san.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        names = []
    certificate = build_certificate(
        csr.subject,
        csr.public_key(),
        ca_certificate.subject,
        ca_key,
        sans=names,
        eku=tuple(eku),
        days=days,
    )
    return _pem(certificate)
