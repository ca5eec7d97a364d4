"""A corpus of client chains, built with cryptography, for comparing the verdict with OpenSSL.

Each ``Chain`` is what a server sees: the client's certificate, the intermediates it sends,
the database's trusted certificates and the time of the handshake. The families are those
where an emulation of OpenSSL goes wrong (name constraints on CN-only certificates, critical
key identifiers, roots that are not self-signed by their AKID, alternative paths, the
notAfter second, v1 certificates, long serials, DSA ...) and the everyday ones (good,
expired, wrong CA, serverAuth only, weak keys, SHA-1, leaf-only trust). Their expected
verdicts are NOT written here: the tests ask ``openssl verify`` and a live redis-server.

Certificates cryptography refuses to build (version 1, serial numbers over 20 octets, SHA-1)
are made by rewriting the TBSCertificate of one it built and signing that by hand.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC).replace(hour=12, minute=0, second=0, microsecond=0)
"""The handshake time of every chain unless it says otherwise (``-attime``): today, so a
live server, which checks at its own clock, sees the same validity windows."""

DAY = dt.timedelta(days=1)
CLIENT = ExtendedKeyUsageOID.CLIENT_AUTH
SERVER = ExtendedKeyUsageOID.SERVER_AUTH


@dataclass
class Made:
    """One certificate and the key that signs with it."""

    cert: x509.Certificate
    key: object

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


@dataclass
class Chain:
    """What a server sees for one client: name, leaf, sent intermediates, trusted, time."""

    name: str
    leaf: Made
    untrusted: list[Made] = field(default_factory=list)
    trusted: list[Made] = field(default_factory=list)
    at: dt.datetime = NOW


# --- keys (few and reused: key generation is the slow part) ------------------------------


@functools.cache
def rsa_key(bits: int = 2048, slot: int = 0) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@functools.cache
def ec_key(curve: str = "secp256r1", slot: int = 0) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(_CURVES[curve]())


_CURVES = {
    "secp256r1": ec.SECP256R1,
    "secp384r1": ec.SECP384R1,
    "secp224r1": ec.SECP224R1,
    "secp192r1": ec.SECP192R1,
}


@functools.cache
def dsa_key(bits: int = 2048, slot: int = 0) -> dsa.DSAPrivateKey:
    return dsa.generate_private_key(key_size=bits)


@functools.cache
def ed_key(slot: int = 0) -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def _name(cn: str | None, **extra: str) -> x509.Name:
    attributes = []
    if "org" in extra:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, extra["org"]))
    if cn is not None:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    if "email" in extra:
        attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, extra["email"]))
    return x509.Name(attributes)


def _hash_for(key: object) -> hashes.HashAlgorithm | None:
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


_serials = iter(range(1000, 10**9))


def make(
    cn: str | None,
    key: object,
    issuer: Made | None = None,
    *,
    ca: bool | None = False,
    path_length: int | None = None,
    eku: list[x509.ObjectIdentifier] | None = None,
    key_usage: str | None = "default",
    sans: list[x509.GeneralName] | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    extensions: list[tuple[x509.ExtensionType, bool]] = (),  # type: ignore[assignment]
    skid: bool = True,
    akid: bool = True,
    hash_algorithm: hashes.HashAlgorithm | None = None,
    pss: bool = False,
    subject: x509.Name | None = None,
    bc_critical: bool = True,
) -> Made:
    """A certificate as a CA or client tool would make it, with every knob the corpus needs."""
    name = subject if subject is not None else _name(cn)
    signer = issuer.key if issuer else key
    issuer_name = issuer.cert.subject if issuer else name
    public = key.public_key()  # type: ignore[attr-defined]
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(public)
        .serial_number(next(_serials))
        .not_valid_before(not_before or NOW - 30 * DAY)
        .not_valid_after(not_after or NOW + 365 * DAY)
    )
    if ca is not None:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), bc_critical
        )
    if key_usage == "default":
        key_usage = "ca" if ca else "client"
    usages = {
        "ca": {"key_cert_sign": True, "crl_sign": True, "digital_signature": True},
        "client": {"digital_signature": True, "key_encipherment": True},
        "encipher-only": {"key_encipherment": True},
        "ca-no-certsign": {"crl_sign": True, "digital_signature": True},
    }
    if key_usage is not None:
        flags = dict.fromkeys(
            (
                "digital_signature",
                "content_commitment",
                "key_encipherment",
                "data_encipherment",
                "key_agreement",
                "key_cert_sign",
                "crl_sign",
            ),
            False,
        )
        flags.update(usages[key_usage])
        builder = builder.add_extension(
            x509.KeyUsage(**flags, encipher_only=False, decipher_only=False), True
        )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), False)
    if skid:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public), False)
    if akid and issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),  # type: ignore[attr-defined]
            False,
        )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    algorithm = hash_algorithm or _hash_for(signer)
    if pss:
        cert = builder.sign(
            signer,
            algorithm,
            rsa_padding=padding.PSS(padding.MGF1(algorithm), padding.PSS.DIGEST_LENGTH),  # type: ignore[arg-type]
        )
    else:
        cert = builder.sign(signer, algorithm)  # type: ignore[arg-type]
    return Made(cert, key)


# --- DER surgery: what cryptography will not build ---------------------------------------


def _tlv(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        head = bytes([size])
    else:
        octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(octets)]) + octets
    return bytes([tag]) + head + content


def _elements(der: bytes) -> list[bytes]:
    """The TLVs inside one DER SEQUENCE."""
    position = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)
    items = []
    while position < len(der):
        length_byte = der[position + 1]
        if length_byte < 0x80:
            head, size = 2, length_byte
        else:
            count = length_byte & 0x7F
            head = 2 + count
            size = int.from_bytes(der[position + 2 : position + 2 + count], "big")
        items.append(der[position : position + head + size])
        position += head + size
    return items


def _sign(tbs: bytes, signer: object, algorithm: hashes.HashAlgorithm) -> bytes:
    if isinstance(signer, rsa.RSAPrivateKey):
        return signer.sign(tbs, padding.PKCS1v15(), algorithm)
    if isinstance(signer, ec.EllipticCurvePrivateKey):
        return signer.sign(tbs, ec.ECDSA(algorithm))
    if isinstance(signer, dsa.DSAPrivateKey):
        return signer.sign(tbs, algorithm)
    raise TypeError(type(signer))


_SIGNATURE_OIDS = {
    # (key type, hash) -> AlgorithmIdentifier DER
    ("rsa", "sha1"): bytes.fromhex("300d06092a864886f70d0101050500"),
    ("rsa", "sha256"): bytes.fromhex("300d06092a864886f70d01010b0500"),
    ("ec", "sha256"): bytes.fromhex("300a06082a8648ce3d040302"),
    ("dsa", "sha256"): bytes.fromhex("300b0609608648016503040302"),
}


def rewrite(
    made: Made,
    signer: Made | None,
    *,
    version_1: bool = False,
    serial: int | None = None,
    hash_name: str = "sha256",
) -> Made:
    """``made`` with its TBSCertificate changed and signed again by ``signer`` (itself if
    None): dropped to version 1 (and so without extensions), a new serial, another hash."""
    signing = signer or made
    key = signing.key
    kind = (
        "rsa"
        if isinstance(key, rsa.RSAPrivateKey)
        else "ec"
        if isinstance(key, ec.EllipticCurvePrivateKey)
        else "dsa"
    )
    algorithm_id = _SIGNATURE_OIDS[(kind, hash_name)]
    parts = _elements(made.cert.tbs_certificate_bytes)
    if parts[0][0] == 0xA0:
        parts = parts[1:] if version_1 else parts
    if version_1:
        parts = [p for p in parts if p[0] != 0xA3]
    serial_index = 0 if parts[0][0] == 0x02 else 1
    if serial is not None:
        length = (serial.bit_length() + 8) // 8
        parts[serial_index] = _tlv(0x02, serial.to_bytes(length, "big"))
    parts[serial_index + 1] = algorithm_id
    tbs = _tlv(0x30, b"".join(parts))
    algorithm = hashes.SHA1() if hash_name == "sha1" else hashes.SHA256()
    signature = _sign(tbs, key, algorithm)
    der = _tlv(0x30, tbs + algorithm_id + _tlv(0x03, b"\x00" + signature))
    return Made(x509.load_der_x509_certificate(der), made.key)


# --- the families --------------------------------------------------------------------------


def dns(*names: str) -> list[x509.GeneralName]:
    return [x509.DNSName(n) for n in names]


def _pki(key: Callable[[int], object], label: str) -> tuple[Made, Made]:
    root = make(f"{label} Root", key(1), ca=True)
    intermediate = make(f"{label} Intermediate", key(2), root, ca=True)
    return root, intermediate


def everyday() -> Iterator[Chain]:
    """Good chains and the usual ways to get them wrong, for RSA and EC PKIs."""
    for label, key in (
        ("rsa", lambda s: rsa_key(2048, s)),
        ("ec", lambda s: ec_key("secp256r1", s)),
        ("ec384", lambda s: ec_key("secp384r1", s)),
    ):
        root, inter = _pki(key, label)
        other, _ = _pki(lambda s, k=key: k(s + 10), f"{label} other")
        leaf = make("app1.example.com", key(3), inter, eku=[CLIENT], sans=dns("app1.example.com"))
        yield Chain(f"{label}-good", leaf, [inter], [root])
        yield Chain(f"{label}-good-intermediate-trusted", leaf, [], [inter, root])
        yield Chain(f"{label}-intermediate-sent-and-trusted", leaf, [inter], [inter, root])
        yield Chain(f"{label}-missing-intermediate", leaf, [], [root])
        yield Chain(f"{label}-only-intermediate-trusted", leaf, [], [inter])
        yield Chain(f"{label}-wrong-ca", leaf, [inter], [other])
        yield Chain(f"{label}-root-sent-not-trusted", leaf, [inter, root], [other])
        yield Chain(f"{label}-leaf-only-trust", leaf, [], [leaf])
        yield Chain(f"{label}-leaf-only-trust-with-intermediate", leaf, [inter], [leaf])
        yield Chain(f"{label}-leaf-and-root-trusted", leaf, [inter], [leaf, root])
        yield Chain(f"{label}-ca-as-client", inter, [], [root])
        yield Chain(f"{label}-root-as-client", root, [], [root])
        for when, name in (
            (NOW + 400 * DAY, "expired"),
            (NOW - 40 * DAY, "not-yet-valid"),
            (leaf.cert.not_valid_after_utc, "at-not-after-second"),
            (leaf.cert.not_valid_after_utc - dt.timedelta(seconds=1), "second-before-not-after"),
            (leaf.cert.not_valid_before_utc, "at-not-before-second"),
            (leaf.cert.not_valid_before_utc - dt.timedelta(seconds=1), "before-not-before"),
        ):
            yield Chain(f"{label}-{name}", leaf, [inter], [root], at=when)
        short = make("short", key(4), inter, eku=[CLIENT], not_after=NOW + 5 * DAY)
        yield Chain(f"{label}-leaf-expires-before-ca", short, [inter], [root], at=NOW + 10 * DAY)
        old_inter = make(f"{label} Old Intermediate", key(5), root, ca=True, not_after=NOW - DAY)
        old_leaf = make("old", key(3), old_inter, eku=[CLIENT])
        yield Chain(f"{label}-expired-intermediate", old_leaf, [old_inter], [root])
        old_root = make(f"{label} Old Root", key(6), ca=True, not_after=NOW - DAY)
        under_old = make("under-old", key(3), old_root, eku=[CLIENT])
        yield Chain(f"{label}-expired-root", under_old, [], [old_root])
        for eku_name, eku in (
            ("server-only", [SERVER]),
            ("no-eku", None),
            ("both", [SERVER, CLIENT]),
            ("any-eku", [ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE]),
            ("code-signing", [ExtendedKeyUsageOID.CODE_SIGNING]),
        ):
            made = make(f"{eku_name}.example.com", key(3), inter, eku=eku)
            yield Chain(f"{label}-leaf-eku-{eku_name}", made, [inter], [root])
        for eku_name, eku in (("server-only", [SERVER]), ("client-only", [CLIENT])):
            ca = make(f"{label} CA {eku_name}", key(7), root, ca=True, eku=eku)
            made = make("under-eku-ca", key(3), ca, eku=[CLIENT])
            yield Chain(f"{label}-intermediate-eku-{eku_name}", made, [ca], [root])
        cn_only = make("cn-only.example.com", key(3), inter, eku=[CLIENT])
        yield Chain(f"{label}-cn-only", cn_only, [inter], [root])
        no_cn = make(None, key(3), inter, eku=[CLIENT], sans=dns("nocn.example.com"))
        yield Chain(f"{label}-no-subject-with-san", no_cn, [inter], [root])
        self_signed = make("self.example.com", key(8), eku=[CLIENT, SERVER], ca=None)
        yield Chain(f"{label}-self-signed-trusted", self_signed, [], [self_signed])
        yield Chain(f"{label}-self-signed-untrusted", self_signed, [], [root])
        ku = make("ku.example.com", key(3), inter, eku=[CLIENT], key_usage="encipher-only")
        yield Chain(f"{label}-leaf-key-usage-without-digital-signature", ku, [inter], [root])
        no_ku_root = make(f"{label} Root no KU", key(9), ca=True, key_usage=None)
        yield Chain(
            f"{label}-root-without-key-usage",
            make("x", key(3), no_ku_root, eku=[CLIENT]),
            [],
            [no_ku_root],
        )


def weak() -> Iterator[Chain]:
    """Security level 2: small keys and weak hashes anywhere in the chain."""
    root, inter = _pki(lambda s: rsa_key(2048, s), "weak")
    for bits in (1024, 1536, 2048, 3072):
        leaf = make(f"rsa{bits}", rsa_key(bits, 20), inter, eku=[CLIENT])
        yield Chain(f"rsa-{bits}-leaf", leaf, [inter], [root])
    small_inter = make("weak 1024 Intermediate", rsa_key(1024, 21), root, ca=True)
    yield Chain(
        "rsa-1024-intermediate",
        make("under-1024", rsa_key(2048, 3), small_inter, eku=[CLIENT]),
        [small_inter],
        [root],
    )
    small_root = make("weak 1024 Root", rsa_key(1024, 22), ca=True)
    yield Chain(
        "rsa-1024-root",
        make("under-1024-root", rsa_key(2048, 3), small_root, eku=[CLIENT]),
        [],
        [small_root],
    )
    for curve in ("secp224r1", "secp192r1", "secp384r1"):
        leaf = make(f"{curve}", ec_key(curve, 23), inter, eku=[CLIENT])
        yield Chain(f"ec-{curve}-leaf", leaf, [inter], [root])
    leaf = make("sha1-leaf", rsa_key(2048, 3), inter, eku=[CLIENT])
    yield Chain("sha1-signed-leaf", rewrite(leaf, inter, hash_name="sha1"), [inter], [root])
    sha1_inter = rewrite(
        make("SHA1 Intermediate", rsa_key(2048, 24), root, ca=True), root, hash_name="sha1"
    )
    yield Chain(
        "sha1-signed-intermediate",
        make("under-sha1", rsa_key(2048, 3), sha1_inter, eku=[CLIENT]),
        [sha1_inter],
        [root],
    )
    sha1_root = rewrite(make("SHA1 Root", rsa_key(2048, 25), ca=True), None, hash_name="sha1")
    yield Chain(
        "sha1-self-signed-root",
        make("under-sha1-root", rsa_key(2048, 3), sha1_root, eku=[CLIENT]),
        [],
        [sha1_root],
    )
    sha1_self = rewrite(
        make("sha1-self", rsa_key(2048, 26), eku=[CLIENT], ca=None), None, hash_name="sha1"
    )
    yield Chain("sha1-self-signed-leaf-trusted", sha1_self, [], [sha1_self])
    for hash_name, algorithm in (("sha384", hashes.SHA384()), ("sha512", hashes.SHA512())):
        leaf = make(f"{hash_name}", rsa_key(2048, 3), inter, eku=[CLIENT], hash_algorithm=algorithm)
        yield Chain(f"{hash_name}-signed-leaf", leaf, [inter], [root])
    pss = make("pss", rsa_key(2048, 3), inter, eku=[CLIENT], pss=True)
    yield Chain("rsa-pss-signed-leaf", pss, [inter], [root])
    ed = make("ed25519", ed_key(1), inter, eku=[CLIENT])
    yield Chain("ed25519-leaf", ed, [inter], [root])
    ed_root = make("Ed Root", ed_key(2), ca=True)
    yield Chain(
        "ed25519-root",
        make("under-ed", ec_key("secp256r1", 3), ed_root, eku=[CLIENT]),
        [],
        [ed_root],
    )


def dsa_family() -> Iterator[Chain]:
    """DSA keys: accepted by OpenSSL's chain check, refused by strict verifiers."""
    dsa_root = make("DSA Root", dsa_key(2048, 1), ca=True)
    rsa_root, inter = _pki(lambda s: rsa_key(2048, s), "dsa-rsa")
    leaf_under_dsa = make("under-dsa", rsa_key(2048, 3), dsa_root, eku=[CLIENT])
    yield Chain("dsa-root", leaf_under_dsa, [], [dsa_root])
    dsa_leaf = make("dsa-leaf", dsa_key(2048, 2), inter, eku=[CLIENT])
    yield Chain("dsa-leaf", dsa_leaf, [inter], [rsa_root])
    small = make("dsa-1024-leaf", dsa_key(1024, 3), inter, eku=[CLIENT])
    yield Chain("dsa-1024-leaf", small, [inter], [rsa_root])
    dsa_self = make("dsa-self", dsa_key(2048, 4), eku=[CLIENT], ca=None)
    yield Chain("dsa-self-signed-trusted", dsa_self, [], [dsa_self])


def odd_encodings() -> Iterator[Chain]:
    """Version 1 certificates, long serials, roots without basicConstraints."""
    root, inter = _pki(lambda s: rsa_key(2048, s), "odd")
    v1_root = rewrite(make("V1 Root", rsa_key(2048, 30), ca=True), None, version_1=True)
    yield Chain(
        "v1-root",
        make("under-v1", rsa_key(2048, 3), v1_root, eku=[CLIENT], akid=False),
        [],
        [v1_root],
    )
    v1_leaf = rewrite(make("v1-leaf", rsa_key(2048, 3), inter), inter, version_1=True)
    yield Chain("v1-leaf", v1_leaf, [inter], [root])
    v1_inter = rewrite(
        make("V1 Intermediate", rsa_key(2048, 31), root, ca=True), root, version_1=True
    )
    yield Chain(
        "v1-intermediate",
        make("under-v1-inter", rsa_key(2048, 3), v1_inter, eku=[CLIENT], akid=False),
        [v1_inter],
        [root],
    )
    v1_self = rewrite(make("v1-self", rsa_key(2048, 32), ca=None), None, version_1=True)
    yield Chain("v1-self-signed-trusted", v1_self, [], [v1_self])
    for octets in (20, 21, 32):
        serial = int.from_bytes(b"\x7f" + b"\x11" * (octets - 1), "big")
        leaf = rewrite(
            make(f"serial{octets}", rsa_key(2048, 3), inter, eku=[CLIENT]), inter, serial=serial
        )
        yield Chain(f"serial-{octets}-octets-leaf", leaf, [inter], [root])
    long_root = rewrite(
        make("Long Serial Root", rsa_key(2048, 33), ca=True), None, serial=2**200 + 7
    )
    yield Chain(
        "serial-long-root",
        make("under-long", rsa_key(2048, 3), long_root, eku=[CLIENT]),
        [],
        [long_root],
    )
    zero = rewrite(make("serial0", rsa_key(2048, 3), inter, eku=[CLIENT]), inter, serial=0)
    yield Chain("serial-zero-leaf", zero, [inter], [root])
    no_bc_root = make("No BC Root", rsa_key(2048, 34), ca=None, key_usage="ca")
    yield Chain(
        "root-without-basic-constraints-with-keycertsign",
        make("under-no-bc", rsa_key(2048, 3), no_bc_root, eku=[CLIENT]),
        [],
        [no_bc_root],
    )
    no_bc_inter = make("No BC Intermediate", rsa_key(2048, 35), root, ca=None, key_usage="ca")
    yield Chain(
        "intermediate-without-basic-constraints",
        make("under-no-bc-inter", rsa_key(2048, 3), no_bc_inter, eku=[CLIENT]),
        [no_bc_inter],
        [root],
    )
    noncritical = make("Noncritical BC Root", rsa_key(2048, 36), ca=True, bc_critical=False)
    yield Chain(
        "root-with-noncritical-basic-constraints",
        make("under-noncrit", rsa_key(2048, 3), noncritical, eku=[CLIENT]),
        [],
        [noncritical],
    )
    not_ca = make("Not A CA", rsa_key(2048, 37), root, ca=False, key_usage="ca")
    yield Chain(
        "issuer-with-ca-false",
        make("under-not-ca", rsa_key(2048, 3), not_ca, eku=[CLIENT]),
        [not_ca],
        [root],
    )
    no_certsign = make(
        "No CertSign CA", rsa_key(2048, 38), root, ca=True, key_usage="ca-no-certsign"
    )
    yield Chain(
        "intermediate-without-keycertsign",
        make("under-no-certsign", rsa_key(2048, 3), no_certsign, eku=[CLIENT]),
        [no_certsign],
        [root],
    )
    limited = make("Pathlen0 Root", rsa_key(2048, 39), ca=True, path_length=0)
    limited_inter = make("Under Pathlen0", rsa_key(2048, 40), limited, ca=True)
    yield Chain(
        "path-length-exceeded",
        make("deep", rsa_key(2048, 3), limited_inter, eku=[CLIENT]),
        [limited_inter],
        [limited],
    )
    yield Chain(
        "path-length-zero-direct",
        make("direct", rsa_key(2048, 3), limited, eku=[CLIENT]),
        [],
        [limited],
    )
    impostor_key = rsa_key(2048, 41)
    impostor = Made(inter.cert, impostor_key)
    forged = make("forged", rsa_key(2048, 3), impostor, eku=[CLIENT], akid=False)
    yield Chain("signature-by-another-key", forged, [inter], [root])
    deep_chain = [root]
    for depth in range(5):
        deep_chain.append(
            make(f"Deep {depth}", rsa_key(2048, 42 + depth % 2), deep_chain[-1], ca=True)
        )
    deep_leaf = make("deep-leaf", rsa_key(2048, 3), deep_chain[-1], eku=[CLIENT])
    yield Chain("five-intermediates", deep_leaf, list(reversed(deep_chain[1:])), [root])
    yield Chain("five-intermediates-shuffled", deep_leaf, deep_chain[1:], [root])
    yield Chain("five-intermediates-one-missing", deep_leaf, deep_chain[2:], [root])


def critical_extensions() -> Iterator[Chain]:
    """Critical extensions OpenSSL does not handle, and ones it does."""
    root, inter = _pki(lambda s: rsa_key(2048, s), "crit")
    key = rsa_key(2048, 3)
    aia = x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                x509.AuthorityInformationAccessOID.CA_ISSUERS,
                x509.UniformResourceIdentifier("http://ca.example.com/ca.crt"),
            )
        ]
    )
    unknown = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x05\x00")
    akid = x509.AuthorityKeyIdentifier.from_issuer_public_key(inter.key.public_key())  # type: ignore[attr-defined]
    skid = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cases = {
        "critical-akid": dict(akid=False, extensions=[(akid, True)]),
        "critical-skid": dict(skid=False, extensions=[(skid, True)]),
        "critical-aia": dict(extensions=[(aia, True)]),
        "noncritical-aia": dict(extensions=[(aia, False)]),
        "critical-unknown": dict(extensions=[(unknown, True)]),
        "noncritical-unknown": dict(extensions=[(unknown, False)]),
        "baseline": dict(),
    }
    for name, options in cases.items():
        leaf = make(f"{name}.example.com", key, inter, eku=[CLIENT], **options)  # type: ignore[arg-type]
        yield Chain(f"leaf-{name}", leaf, [inter], [root])
    ca_akid = x509.AuthorityKeyIdentifier.from_issuer_public_key(root.key.public_key())  # type: ignore[attr-defined]
    for name, options in {
        "critical-akid": dict(akid=False, extensions=[(ca_akid, True)]),
        "critical-aia": dict(extensions=[(aia, True)]),
        "critical-unknown": dict(extensions=[(unknown, True)]),
    }.items():
        ca = make(f"CA {name}", rsa_key(2048, 50), root, ca=True, **options)  # type: ignore[arg-type]
        yield Chain(f"intermediate-{name}", make("under", key, ca, eku=[CLIENT]), [ca], [root])
    root_key = rsa_key(2048, 51)
    root_skid = x509.SubjectKeyIdentifier.from_public_key(root_key.public_key())
    crit_root = make(
        "Critical SKID Root", root_key, ca=True, skid=False, extensions=[(root_skid, True)]
    )
    yield Chain(
        "root-critical-skid", make("under-crit-root", key, crit_root, eku=[CLIENT]), [], [crit_root]
    )


def key_identifiers() -> Iterator[Chain]:
    """Roots whose AKID does not name themselves, and AKIDs that point elsewhere."""
    key = rsa_key(2048, 3)
    for name, akid in (
        ("root-akid-mismatch", x509.AuthorityKeyIdentifier(b"\x01" * 20, None, None)),
        ("root-akid-matches", None),
    ):
        root_key = rsa_key(2048, 60)
        extensions = [(akid, False)] if akid else []
        if akid is None:
            own = x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key())
            extensions = [(own, False)]
        root = make(f"AKID Root {name}", root_key, ca=True, extensions=extensions)
        yield Chain(name, make(f"under-{name}", key, root, eku=[CLIENT]), [], [root])
        yield Chain(f"{name}-root-as-client", root, [], [root])
    root, inter = _pki(lambda s: rsa_key(2048, s + 60), "kid")
    wrong = make(
        "wrong-akid",
        key,
        inter,
        eku=[CLIENT],
        akid=False,
        extensions=[(x509.AuthorityKeyIdentifier(b"\x02" * 20, None, None), False)],
    )
    yield Chain("leaf-akid-points-elsewhere", wrong, [inter], [root])
    no_ids = make("no-ids", key, inter, eku=[CLIENT], akid=False, skid=False)
    yield Chain("leaf-without-key-identifiers", no_ids, [inter], [root])


def alternative_paths() -> Iterator[Chain]:
    """Two CAs with one name: OpenSSL takes the first it finds, it does not search them all."""
    root = make("Alt Root", rsa_key(2048, 70), ca=True)
    other_root = make("Alt Other Root", rsa_key(2048, 71), ca=True)
    inter_key = rsa_key(2048, 72)
    good = make("Alt Intermediate", inter_key, root, ca=True)
    expired = make("Alt Intermediate", inter_key, root, ca=True, not_after=NOW - DAY)
    cross = make("Alt Intermediate", inter_key, other_root, ca=True)
    server_only = make("Alt Intermediate", inter_key, root, ca=True, eku=[SERVER])
    leaf = make("alt.example.com", rsa_key(2048, 3), good, eku=[CLIENT])
    yield Chain("alt-expired-then-good", leaf, [expired, good], [root])
    yield Chain("alt-good-then-expired", leaf, [good, expired], [root])
    yield Chain("alt-cross-signed-untrusted-first", leaf, [cross, good], [root])
    yield Chain("alt-cross-signed-trusted-other", leaf, [cross, good], [other_root])
    yield Chain("alt-both-roots-trusted", leaf, [cross], [root, other_root])
    yield Chain("alt-server-only-then-good", leaf, [server_only, good], [root])
    yield Chain("alt-good-then-server-only", leaf, [good, server_only], [root])
    yield Chain("alt-expired-trusted-good-sent", leaf, [good], [expired, root])
    yield Chain("alt-expired-trusted-only", leaf, [], [expired, root])
    old_root = make("Alt Root", rsa_key(2048, 70), ca=True, not_after=NOW - DAY)
    yield Chain("alt-expired-root-and-good-root", leaf, [good], [old_root, root])
    yield Chain("alt-good-root-and-expired-root", leaf, [good], [root, old_root])


def name_constraints() -> Iterator[Chain]:
    """Name constraints against SANs, and against the subject when there is no SAN."""
    root = make("NC Root", rsa_key(2048, 80), ca=True)
    key = rsa_key(2048, 3)

    def constrained(label: str, permitted=None, excluded=None, raw: bytes | None = None) -> Made:
        if raw is not None:
            extension = x509.UnrecognizedExtension(x509.ExtensionOID.NAME_CONSTRAINTS, raw)
        else:
            extension = x509.NameConstraints(
                permitted_subtrees=permitted, excluded_subtrees=excluded
            )
        return make(f"NC {label}", rsa_key(2048, 81), root, ca=True, extensions=[(extension, True)])

    permitted = constrained("permitted", permitted=dns("example.com"))
    excluded = constrained("excluded", excluded=dns("bad.example.com"))
    email = constrained("email", permitted=[x509.RFC822Name("example.com")])
    ip = constrained("ip", permitted=[x509.IPAddress(ipaddress.ip_network("10.0.0.0/8"))])
    directory = constrained("dirname", permitted=[x509.DirectoryName(_name(None, org="Acme"))])
    excluded_dir = constrained(
        "excluded-dirname", excluded=[x509.DirectoryName(_name(None, org="Evil"))]
    )
    empty = constrained("empty", raw=b"\x30\x00")
    empty_permitted = constrained("empty-permitted", raw=b"\x30\x02\xa0\x00")
    leaves = {
        "san-inside": dict(cn="a.example.com", sans=dns("a.example.com")),
        "san-outside": dict(cn="a.example.org", sans=dns("a.example.org")),
        "cn-only-inside": dict(cn="a.example.com"),
        "cn-only-outside": dict(cn="a.example.org"),
        "cn-only-not-a-hostname": dict(cn="Application One"),
        "cn-only-excluded": dict(cn="x.bad.example.com"),
        "wildcard-san-excluded": dict(cn="w", sans=dns("*.bad.example.com")),
        "wildcard-san-inside": dict(cn="w", sans=dns("*.apps.example.com")),
        "email-inside": dict(subject=_name("u", email="u@example.com")),
        "email-outside": dict(subject=_name("u", email="u@example.org")),
        "rfc822-san-outside": dict(cn="u", sans=[x509.RFC822Name("u@example.org")]),
        "ip-inside": dict(cn="ip", sans=[x509.IPAddress(ipaddress.ip_address("10.1.2.3"))]),
        "ip-outside": dict(cn="ip", sans=[x509.IPAddress(ipaddress.ip_address("192.0.2.1"))]),
        "org-acme": dict(subject=_name("a.example.com", org="Acme")),
        "org-evil": dict(subject=_name("a.example.com", org="Evil")),
    }
    cas = {
        "permitted-dns": permitted,
        "excluded-dns": excluded,
        "permitted-email": email,
        "permitted-ip": ip,
        "permitted-dirname": directory,
        "excluded-dirname": excluded_dir,
        "empty": empty,
        "empty-permitted": empty_permitted,
    }
    pairs = {
        "permitted-dns": [
            "san-inside",
            "san-outside",
            "cn-only-inside",
            "cn-only-outside",
            "cn-only-not-a-hostname",
            "wildcard-san-inside",
            "email-outside",
            "ip-inside",
        ],
        "excluded-dns": [
            "san-inside",
            "cn-only-excluded",
            "wildcard-san-excluded",
            "cn-only-inside",
        ],
        "permitted-email": ["email-inside", "email-outside", "rfc822-san-outside", "san-inside"],
        "permitted-ip": ["ip-inside", "ip-outside", "cn-only-inside"],
        "permitted-dirname": ["org-acme", "org-evil", "san-inside"],
        "excluded-dirname": ["org-acme", "org-evil"],
        "empty": ["san-inside", "cn-only-inside"],
        "empty-permitted": ["san-inside"],
    }
    for ca_name, leaf_names in pairs.items():
        ca = cas[ca_name]
        for leaf_name in leaf_names:
            options = dict(leaves[leaf_name])
            subject = options.pop("subject", None)
            cn = options.pop("cn", None)
            leaf = make(cn, key, ca, eku=[CLIENT], subject=subject, **options)  # type: ignore[arg-type]
            yield Chain(f"nc-{ca_name}-{leaf_name}", leaf, [ca], [root])


FAMILIES = (
    everyday,
    weak,
    dsa_family,
    odd_encodings,
    critical_extensions,
    key_identifiers,
    alternative_paths,
    name_constraints,
)


@functools.cache
def corpus() -> tuple[Chain, ...]:
    """Every chain of every family, built once per test session."""
    chains = tuple(chain for family in FAMILIES for chain in family())
    names = [c.name for c in chains]
    assert len(names) == len(set(names)), "chain names must be unique"
    return chains
