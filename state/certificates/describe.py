"""Turning one parsed certificate into a ``CertificateInfo``, one field at a time.

cryptography parses lazily: a certificate loads fine and then raises when ``.subject``
or one extension is read (bad string types, duplicate extensions, unknown algorithms).
Every field is therefore read on its own, and a field that fails is recorded in
``unreadable`` instead of losing the whole certificate.
"""

from __future__ import annotations

import functools
import hashlib
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from typing import NamedTuple, TypeVar

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .errors import CertificateInputError
from .extensions import RawExtensions, read_raw
from .info import CertificateInfo

T = TypeVar("T")
D = TypeVar("D")  # the default may be narrower than what the field reads (an empty tuple)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_NAME_OIDS: dict[str, x509.ObjectIdentifier] = {
    "CN": NameOID.COMMON_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "L": NameOID.LOCALITY_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
    "C": NameOID.COUNTRY_NAME,
}

# OpenSSL's short names, so the output reads like `openssl x509 -text`.
_EKU_NAMES: dict[x509.ObjectIdentifier, str] = {
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
    ExtendedKeyUsageOID.TIME_STAMPING: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSPSigning",
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE: "anyExtendedKeyUsage",
    ExtendedKeyUsageOID.SMARTCARD_LOGON: "msSmartcardLogin",
    ExtendedKeyUsageOID.KERBEROS_PKINIT_KDC: "pkInitKDC",
    ExtendedKeyUsageOID.IPSEC_IKE: "ipsecIKE",
    ExtendedKeyUsageOID.CERTIFICATE_TRANSPARENCY: "certificateTransparency",
}

_KEY_USAGE_NAMES = (
    ("digital_signature", "digitalSignature"),
    ("content_commitment", "nonRepudiation"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "cRLSign"),
)

# Digests cryptography cannot name (it raises), but a reviewer must still see.
_SIGNATURE_OID_HASHES = {
    "1.2.840.113549.1.1.2": "md2",
    "1.2.840.113549.1.1.3": "md4",
    "1.2.840.113549.1.1.4": "md5",
    "1.2.840.113549.1.1.5": "sha1",
    "1.2.840.10040.4.3": "sha1",
    "1.2.840.10045.4.1": "sha1",
    "1.3.14.3.2.29": "sha1",
    "1.3.14.3.2.3": "md5",
    "1.2.840.113549.2.2": "md2",
    "1.2.840.113549.2.5": "md5",
    "1.3.14.3.2.26": "sha1",
}


class _Reader:
    """Reads fields one by one and remembers which ones failed."""

    def __init__(self) -> None:
        self.unreadable: list[str] = []

    def get(self, name: str, read: Callable[[], T], default: D) -> T | D:
        try:
            return read()
        except Exception:  # cryptography raises ValueError, TypeError, UnsupportedAlgorithm...
            if name not in self.unreadable:
                self.unreadable.append(name)
            return default


def fingerprint_der(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _name_attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = [str(a.value) for a in name.get_attributes_for_oid(oid)]
    return ", ".join(values) if values else None


def _subject_attributes(name: x509.Name) -> dict[str, str]:
    """CN, O, OU, L, ST and C as text; a repeated attribute's values are joined by ", "."""
    result: dict[str, str] = {}
    for short, oid in _NAME_OIDS.items():
        value = _name_attribute(name, oid)
        if value is not None:
            result[short] = value
    return result


def general_name_text(name: x509.GeneralName) -> str:
    """A SAN entry with OpenSSL's prefix (``DNS:``, ``IP:``, ``email:``, ``URI:``...)."""
    if isinstance(name, x509.DNSName):
        return f"DNS:{name.value}"
    if isinstance(name, x509.IPAddress):
        return f"IP:{name.value}"
    if isinstance(name, x509.RFC822Name):
        return f"email:{name.value}"
    if isinstance(name, x509.UniformResourceIdentifier):
        return f"URI:{name.value}"
    if isinstance(name, x509.DirectoryName):
        return f"DirName:{name.value.rfc4514_string()}"
    if isinstance(name, x509.RegisteredID):
        return f"RID:{name.value.dotted_string}"
    if isinstance(name, x509.OtherName):
        return f"othername:{name.type_id.dotted_string}"
    return f"unknown:{name!r}"


def _extension(cert: x509.Certificate, kind: type[x509.ExtensionType]):
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _sans(cert: x509.Certificate) -> tuple[tuple[str, ...], tuple[str, ...]]:
    value = _extension(cert, x509.SubjectAlternativeName)
    if value is None:
        return (), ()
    texts = tuple(general_name_text(name) for name in value)
    dns = tuple(str(name.value) for name in value if isinstance(name, x509.DNSName))
    return texts, dns


def _basic_constraints(cert: x509.Certificate) -> tuple[bool, int | None]:
    value = _extension(cert, x509.BasicConstraints)
    if value is None:
        return False, None
    return bool(value.ca), value.path_length


def _key_usage(cert: x509.Certificate) -> tuple[str, ...]:
    value = _extension(cert, x509.KeyUsage)
    if value is None:
        return ()
    names = [label for attr, label in _KEY_USAGE_NAMES if getattr(value, attr)]
    if value.key_agreement:  # encipher_only/decipher_only raise unless keyAgreement is set
        names += [
            n
            for a, n in (("encipher_only", "encipherOnly"), ("decipher_only", "decipherOnly"))
            if getattr(value, a)
        ]
    return tuple(names)


def eku_name(oid: x509.ObjectIdentifier) -> str:
    return _EKU_NAMES.get(oid, oid.dotted_string)


def _extended_key_usage(cert: x509.Certificate) -> tuple[str, ...]:
    value = _extension(cert, x509.ExtendedKeyUsage)
    if value is None:
        return ()
    return tuple(eku_name(oid) for oid in value)


class KeyDescription(NamedTuple):
    """A key as OpenSSL names it: `RSA` 2048, `EC` 256 `secp256r1`, `Ed25519`."""

    algorithm: str
    bits: int | None
    curve: str | None


def key_description(key: object) -> KeyDescription:
    """The algorithm, bits and curve of a public or private key, named as OpenSSL names them."""
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return KeyDescription("RSA", key.key_size, None)
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return KeyDescription("EC", key.curve.key_size, key.curve.name)
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return KeyDescription("Ed25519", None, None)
    if isinstance(key, ed448.Ed448PublicKey | ed448.Ed448PrivateKey):
        return KeyDescription("Ed448", None, None)
    if isinstance(key, dsa.DSAPublicKey | dsa.DSAPrivateKey):
        return KeyDescription("DSA", key.key_size, None)
    if isinstance(key, x25519.X25519PublicKey | x25519.X25519PrivateKey):
        return KeyDescription("X25519", None, None)
    if isinstance(key, x448.X448PublicKey | x448.X448PrivateKey):
        return KeyDescription("X448", None, None)
    return KeyDescription(
        type(key).__name__.removesuffix("PublicKey").removesuffix("PrivateKey"), None, None
    )


def _signature_hash(cert: x509.Certificate) -> str | None:
    try:
        algorithm = cert.signature_hash_algorithm
    except Exception:
        dotted = cert.signature_algorithm_oid.dotted_string
        if dotted in _SIGNATURE_OID_HASHES:
            return _SIGNATURE_OID_HASHES[dotted]
        raise
    return algorithm.name if algorithm is not None else None


def _serial(number: int) -> str:
    """Lowercase hex in whole bytes, as ``openssl x509 -serial`` prints it (leading 0 kept)."""
    text = format(abs(number), "x")
    text = "0" + text if len(text) % 2 else text
    return f"-{text}" if number < 0 else text


def _self_signed(cert: x509.Certificate) -> bool:
    """Subject equals issuer and the certificate's own key verifies its signature.

    When cryptography cannot check the signature at all (MD2, unusual algorithms), equal
    names decide: those are old roots, and calling them leaves would mislead more.
    """
    try:
        if cert.subject != cert.issuer:
            return False
        cert.verify_directly_issued_by(cert)
    except (UnsupportedAlgorithm, ValueError) as error:
        return "Unsupported" in str(error) or isinstance(error, UnsupportedAlgorithm)
    except Exception:
        return False
    return True


def _role(is_ca: bool, self_signed: bool, version_1: bool) -> str:
    # A version 1 self-signed certificate has no basicConstraints: OpenSSL treats it as a CA.
    if self_signed and (is_ca or version_1):
        return "root-ca"
    if is_ca:
        return "intermediate-ca"
    return "leaf"


def _read_extensions(cert: x509.Certificate, r: _Reader) -> RawExtensions:
    """The shown extensions through cryptography, or one by one when any extension breaks
    its parser (see ``extensions``); "extensions" is marked unreadable when the broken one
    is none of those shown."""
    try:
        cert.extensions  # noqa: B018 - parses every extension, raising if one is malformed
    except Exception:
        eku_names = {oid.dotted_string: name for oid, name in _EKU_NAMES.items()}
        raw = r.get("extensions", lambda: read_raw(cert.tbs_certificate_bytes, eku_names), None)
        if raw is None:
            return RawExtensions()
        r.unreadable += [name for name in raw.unreadable if name not in r.unreadable]
        if not raw.unreadable:
            r.unreadable.append("extensions")
        return raw
    raw = RawExtensions()
    raw.sans, raw.dns_names = r.get("subject_alternative_name", lambda: _sans(cert), ((), ()))
    raw.is_ca, raw.path_length = r.get(
        "basic_constraints", lambda: _basic_constraints(cert), (False, None)
    )
    raw.key_usage = r.get("key_usage", lambda: _key_usage(cert), ())
    raw.extended_key_usage = r.get("extended_key_usage", lambda: _extended_key_usage(cert), ())
    return raw


def describe(cert: x509.Certificate) -> CertificateInfo:
    """Read every field of ``cert`` defensively; see the module docstring for why.

    cryptography's warnings about odd encodings are silenced: the finding for an
    unreadable field says it once, and the CLI must not print warnings on stderr.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _describe(cert)


def _describe(cert: x509.Certificate) -> CertificateInfo:
    r = _Reader()
    der = cert.public_bytes(serialization.Encoding.DER)
    pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    subject = r.get("subject", lambda: cert.subject.rfc4514_string(), "")
    subject_cn = r.get("subject", lambda: _name_attribute(cert.subject, NameOID.COMMON_NAME), None)
    attributes = r.get("subject", lambda: _subject_attributes(cert.subject), {})
    issuer = r.get("issuer", lambda: cert.issuer.rfc4514_string(), "")
    issuer_cn = r.get("issuer", lambda: _name_attribute(cert.issuer, NameOID.COMMON_NAME), None)
    extensions = _read_extensions(cert, r)
    sans, dns_names = extensions.sans, extensions.dns_names
    is_ca, path_length = extensions.is_ca, extensions.path_length
    key_type, key_bits, key_curve = r.get(
        "public_key",
        lambda: key_description(cert.public_key()),
        KeyDescription("unknown", None, None),
    )
    self_signed = _self_signed(cert)
    version_1 = r.get("version", lambda: cert.version == x509.Version.v1, False)
    return CertificateInfo(
        pem=pem,
        sha256=fingerprint_der(der),
        subject=subject,
        subject_cn=subject_cn,
        subject_attributes=attributes,
        issuer=issuer,
        issuer_cn=issuer_cn,
        serial=r.get("serial", lambda: _serial(cert.serial_number), ""),
        not_before=r.get("not_before", lambda: cert.not_valid_before_utc, _EPOCH),
        not_after=r.get("not_after", lambda: cert.not_valid_after_utc, _EPOCH),
        sans=sans,
        dns_names=dns_names,
        is_ca=is_ca,
        path_length=path_length,
        key_type=key_type,
        key_bits=key_bits,
        key_curve=key_curve,
        signature_hash=r.get("signature_hash", lambda: _signature_hash(cert), None),
        key_usage=extensions.key_usage,
        extended_key_usage=extensions.extended_key_usage,
        self_signed=self_signed,
        role=_role(is_ca, self_signed, version_1),
        unreadable=tuple(r.unreadable),
    )


@functools.lru_cache(maxsize=1024)
def load_pem(pem: str) -> x509.Certificate:
    """The cryptography object for one stored PEM (cached: verification reloads often)."""
    try:
        return x509.load_pem_x509_certificate(pem.encode("ascii", "strict"))
    except (ValueError, UnicodeEncodeError) as error:
        raise CertificateInputError(
            "the stored text is not one PEM certificate; paste the certificate again"
        ) from error


@functools.lru_cache(maxsize=1024)
def describe_pem(pem: str) -> CertificateInfo:
    """Describe one stored PEM certificate, cached by its text (the screens ask often)."""
    return describe(load_pem(pem))


def fingerprint(pem_or_der: bytes | str) -> str:
    """SHA-256 of the DER of the first certificate: 64 lowercase hex digits, no colons.

    This is the state file's key for a certificate, so it must equal
    ``openssl x509 -noout -fingerprint -sha256`` (without the colons).
    """
    from .reader import read_certificates

    if isinstance(pem_or_der, bytes) and pem_or_der[:1] == b"\x30":
        try:
            return fingerprint_der(
                x509.load_der_x509_certificate(pem_or_der).public_bytes(serialization.Encoding.DER)
            )
        except ValueError:
            pass
    return read_certificates(pem_or_der)[0].sha256
