"""Reading every kind of input: certificates in all their wrappings, and everything else
named plainly (private keys refused without ever being echoed)."""

from __future__ import annotations

import base64
import datetime as dt
import os
from pathlib import Path

import pytest
from certificate_helpers import OPENSSL, key_body_chunks, openssl
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

from state.certificates import (
    CertificateInputError,
    describe_pem,
    fingerprint,
    read,
    read_certificate_file,
    read_certificates,
)
from state.certificates.issue import SubjectFields, create_key_and_csr
from state.certificates.reader import MAX_INPUT_BYTES

VECTORS = None


def vector(name: str) -> bytes:
    import cryptography_vectors

    return cryptography_vectors.open_vector_file(os.path.join("x509", name), "rb").read()


def der(pem: bytes) -> bytes:
    return x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)


def sha256_of(pem: bytes) -> str:
    return x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex()


def kinds(data: bytes | str) -> list[str]:
    return [item.kind for item in read(data).items]


def codes(data: bytes | str) -> list[str]:
    return [finding.code for finding in read(data).findings]


# --- certificates in every wrapping ------------------------------------------------------


def test_one_pem_certificate(pki):
    result = read(pki.leaf.pem)
    assert kinds(pki.leaf.pem) == ["certificate"]
    assert result.findings == []
    assert result.certificates[0].sha256 == sha256_of(pki.leaf.pem)
    assert not result.has_private_key


def test_many_certificates_with_text_around_them_keep_their_order(pki):
    data = (
        b"Bag Attributes\n    friendlyName: app1\nsubject=CN = app1\n"
        + pki.leaf.pem
        + b"\nissuer text in between\n"
        + pki.intermediate.pem
        + pki.root.pem
        + b"trailing notes"
    )
    result = read(data)
    assert [c.sha256 for c in result.certificates] == [
        sha256_of(pki.leaf.pem),
        sha256_of(pki.intermediate.pem),
        sha256_of(pki.root.pem),
    ]
    assert result.findings == []


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda b: b.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda b: b.replace(b"\n", b"\r"), id="old-mac-cr"),
        pytest.param(lambda b: b"".join(b"    " + ln for ln in b.splitlines(True)), id="indented"),
        pytest.param(lambda b: b"".join(b"\t" + ln for ln in b.splitlines(True)), id="tabs"),
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="utf8-bom"),
        pytest.param(lambda b: b.decode().encode("utf-16"), id="utf16-with-bom"),
        pytest.param(lambda b: b.replace(b"\n", b"\n\n"), id="blank-lines"),
        pytest.param(lambda b: b.rstrip(b"\n"), id="no-final-newline"),
    ],
)
def test_pem_survives_what_editors_and_mailers_do(pki, mangle):
    result = read(mangle(pki.leaf.pem + pki.root.pem))
    assert [c.sha256 for c in result.certificates] == [
        sha256_of(pki.leaf.pem),
        sha256_of(pki.root.pem),
    ]
    assert result.findings == []


def test_pem_copied_out_of_json(pki):
    """The REST API returns certificates as JSON strings, with \\n for each line end."""
    import json

    pasted = json.dumps({"client_cert": (pki.leaf.pem + pki.root.pem).decode()})
    result = read(pasted)
    assert [c.sha256 for c in result.certificates] == [
        sha256_of(pki.leaf.pem),
        sha256_of(pki.root.pem),
    ]
    assert read(pasted.replace("/", "\\/")).certificates == result.certificates


def test_str_input_with_a_bom_character(pki):
    result = read("\ufeff" + pki.leaf.pem.decode())
    assert result.certificates[0].sha256 == sha256_of(pki.leaf.pem)


def test_der_certificate(pki):
    result = read(der(pki.leaf.pem))
    assert [c.sha256 for c in result.certificates] == [sha256_of(pki.leaf.pem)]
    assert result.findings == []


def test_concatenated_der_certificates(pki):
    result = read(der(pki.leaf.pem) + der(pki.root.pem))
    assert [c.sha256 for c in result.certificates] == [
        sha256_of(pki.leaf.pem),
        sha256_of(pki.root.pem),
    ]


def test_base64_der_without_pem_lines(pki):
    body = base64.encodebytes(der(pki.leaf.pem))
    assert read(body).certificates[0].sha256 == sha256_of(pki.leaf.pem)


@pytest.mark.parametrize("encoding", [serialization.Encoding.PEM, serialization.Encoding.DER])
def test_pkcs7_bundle_comes_out_leaf_to_root(pki, encoding):
    """PKCS#7 sorts its certificates by their DER; the reader restores the chain order."""
    pems = (pki.intermediate.pem, pki.leaf.pem)
    certs = [x509.load_pem_x509_certificate(p) for p in pems]
    bundle = pkcs7.serialize_certificates(certs, encoding)
    result = read(bundle)
    assert [c.sha256 for c in result.certificates] == [
        sha256_of(pki.leaf.pem),
        sha256_of(pki.intermediate.pem),
    ]
    assert result.findings == []


def test_old_x509_certificate_label(pki):
    pem = pki.leaf.pem.replace(b"CERTIFICATE-----", b"X509 CERTIFICATE-----")
    assert read(pem).certificates[0].sha256 == sha256_of(pki.leaf.pem)


@pytest.mark.skipif(not OPENSSL, reason="needs the openssl CLI")
def test_openssl_trusted_certificate(pki, tmp_path):
    path = tmp_path / "leaf.pem"
    path.write_bytes(pki.leaf.pem)
    made = openssl("x509", "-in", str(path), "-addtrust", "clientAuth", "-trustout")
    assert b"BEGIN TRUSTED CERTIFICATE" in made.stdout
    assert read(made.stdout).certificates[0].sha256 == sha256_of(pki.leaf.pem)


# --- private keys: named, refused, never echoed ------------------------------------------


def _private_key_forms(pki) -> dict[str, bytes]:
    rsa_key = serialization.load_pem_private_key(pki.leaf.key_pem, password=None)
    ec_key = serialization.load_pem_private_key(pki.ec.key_pem, password=None)
    ed_key = ed25519.Ed25519PrivateKey.generate()
    dsa_key = dsa.generate_private_key(2048)
    enc = serialization.BestAvailableEncryption(b"correct horse")
    pem, der_ = serialization.Encoding.PEM, serialization.Encoding.DER
    fmt = serialization.PrivateFormat
    none = serialization.NoEncryption()
    return {
        "rsa-pkcs1": rsa_key.private_bytes(pem, fmt.TraditionalOpenSSL, none),
        "rsa-pkcs1-legacy-encrypted": rsa_key.private_bytes(pem, fmt.TraditionalOpenSSL, enc),
        "ec-sec1": ec_key.private_bytes(pem, fmt.TraditionalOpenSSL, none),
        "dsa": dsa_key.private_bytes(pem, fmt.TraditionalOpenSSL, none),
        "pkcs8-rsa": pki.leaf.key_pem,
        "pkcs8-ec": pki.ec.key_pem,
        "pkcs8-ed25519": ed_key.private_bytes(pem, fmt.PKCS8, none),
        "pkcs8-encrypted": rsa_key.private_bytes(pem, fmt.PKCS8, enc),
        "openssh-ed25519": ed_key.private_bytes(pem, fmt.OpenSSH, none),
        "openssh-rsa": rsa_key.private_bytes(pem, fmt.OpenSSH, none),
        "der-pkcs8": rsa_key.private_bytes(der_, fmt.PKCS8, none),
        "der-pkcs1": rsa_key.private_bytes(der_, fmt.TraditionalOpenSSL, none),
        "der-ec": ec_key.private_bytes(der_, fmt.TraditionalOpenSSL, none),
        "der-pkcs8-encrypted": rsa_key.private_bytes(der_, fmt.PKCS8, enc),
    }


@pytest.fixture(scope="module")
def private_keys(pki) -> dict[str, bytes]:
    return _private_key_forms(pki)


KEY_FORMS = [
    "rsa-pkcs1",
    "rsa-pkcs1-legacy-encrypted",
    "ec-sec1",
    "dsa",
    "pkcs8-rsa",
    "pkcs8-ec",
    "pkcs8-ed25519",
    "pkcs8-encrypted",
    "openssh-ed25519",
    "openssh-rsa",
    "der-pkcs8",
    "der-pkcs1",
    "der-ec",
    "der-pkcs8-encrypted",
]

EXPECTED_LABEL_WORDS = {
    "rsa-pkcs1": "RSA private key (PKCS#1)",
    "rsa-pkcs1-legacy-encrypted": "encrypted RSA private key",
    "ec-sec1": "EC private key (SEC1)",
    "dsa": "DSA private key",
    "pkcs8-rsa": "RSA private key (PKCS#8)",
    "pkcs8-ec": "EC private key (PKCS#8)",
    "pkcs8-ed25519": "Ed25519 private key (PKCS#8)",
    "pkcs8-encrypted": "encrypted private key (PKCS#8)",
    "openssh-ed25519": "OpenSSH private key",
    "openssh-rsa": "OpenSSH private key",
    "der-pkcs8": "RSA private key",
    "der-pkcs1": "RSA private key",
    "der-ec": "EC private key",
    "der-pkcs8-encrypted": "encrypted private key",
}


def _secret_fragments(data: bytes) -> list[str]:
    if data[:1] == b"\x30":  # DER: look for its base64 and hex in the output
        return [*key_body_chunks(base64.encodebytes(data)), data[16:40].hex()]
    return key_body_chunks(data)


def _assert_never_echoed(data: bytes, *texts: str) -> None:
    fragments = _secret_fragments(data)
    assert fragments
    for text in texts:
        for fragment in fragments:
            assert fragment not in text


@pytest.mark.parametrize("form", KEY_FORMS)
def test_private_key_is_named_refused_and_never_echoed(private_keys, form):
    data = private_keys[form]
    result = read(data)
    assert [item.kind for item in result.items] == ["private-key"]
    assert result.has_private_key
    assert result.items[0].certificate is None
    assert EXPECTED_LABEL_WORDS[form] in result.items[0].label
    assert [(f.severity, f.code) for f in result.findings] == [("error", "private-key")]
    with pytest.raises(CertificateInputError) as refused:
        read_certificates(data)
    message = str(refused.value)
    assert "private key" in message and "not stored" in message
    assert "\n" not in message
    _assert_never_echoed(data, message, repr(result), str(result.findings), result.items[0].label)


@pytest.mark.parametrize("form", ["rsa-pkcs1", "pkcs8-ec", "openssh-ed25519", "der-pkcs8"])
def test_key_after_a_certificate_is_still_refused(pki, private_keys, form):
    key = private_keys[form]
    data = (der(pki.leaf.pem) if key[:1] == b"\x30" else pki.leaf.pem) + key
    result = read(data)
    assert [item.kind for item in result.items] == ["certificate", "private-key"]
    assert result.findings[0].where == "item 2"
    with pytest.raises(CertificateInputError, match="private key was pasted"):
        read_certificates(data)


def test_truncated_private_key_is_still_a_private_key(private_keys):
    data = private_keys["rsa-pkcs1"]
    cut = data[: len(data) // 2]
    result = read(cut)
    assert [item.kind for item in result.items] == ["private-key"]
    assert "private-key" in codes(cut)
    _assert_never_echoed(cut, repr(result))


def test_putty_key(private_keys):
    data = b"PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nPrivate-Lines: 1\nAAAAB3Nz\n"
    assert kinds(data) == ["private-key"]


# --- what is not a certificate -----------------------------------------------------------


def _refusal(data: bytes) -> str:
    with pytest.raises(CertificateInputError) as refused:
        read_certificates(data)
    message = str(refused.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("encoding", ["pem", "der"])
def test_csr(encoding):
    made = create_key_and_csr("db.example.com", SubjectFields(cn="db.example.com"))
    data = made.pem
    if encoding == "der":
        data = x509.load_pem_x509_csr(made.pem).public_bytes(serialization.Encoding.DER)
    result = read(data)
    assert kinds(data) == ["csr"]
    assert "CN=db.example.com" in result.items[0].label
    assert codes(data) == ["not-a-certificate"]
    assert "certificate signing request" in _refusal(data)


@pytest.mark.parametrize(
    "form",
    [
        (serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        (serialization.Encoding.PEM, serialization.PublicFormat.PKCS1),
        (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
        (serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH),
    ],
    ids=["pem-spki", "pem-pkcs1", "der-spki", "openssh"],
)
def test_public_key(pki, form):
    key = serialization.load_pem_private_key(pki.leaf.key_pem, password=None).public_key()
    data = key.public_bytes(*form)
    assert kinds(data) == ["public-key"]
    assert codes(data) == ["not-a-certificate"]
    assert "public key" in _refusal(data)


@pytest.fixture(scope="module")
def crl(pki) -> x509.CertificateRevocationList:
    ca_key = serialization.load_pem_private_key(pki.root.key_pem, password=None)
    ca = x509.load_pem_x509_certificate(pki.root.pem)
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.subject)
        .last_update(now)
        .next_update(now + dt.timedelta(days=7))
        .sign(ca_key, hashes.SHA256())
    )


@pytest.mark.parametrize("encoding", [serialization.Encoding.PEM, serialization.Encoding.DER])
def test_crl(crl, encoding):
    data = crl.public_bytes(encoding)
    assert kinds(data) == ["crl"]
    assert codes(data) == ["not-a-certificate"]
    assert "revocation list" in _refusal(data)


@pytest.mark.parametrize("password", [b"secret", None])
def test_pkcs12(pki, password):
    key = serialization.load_pem_private_key(pki.leaf.key_pem, password=None)
    cert = x509.load_pem_x509_certificate(pki.leaf.pem)
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(b"app1", key, cert, None, encryption)
    result = read(data)
    assert kinds(data) == ["pkcs12"]
    assert codes(data) == ["not-a-certificate"]
    message = _refusal(data)
    assert "PKCS#12" in message and "password" in message and "-nokeys" in message
    _assert_never_echoed(pki.leaf.key_pem, repr(result), message)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"hello, this is not a certificate\n", id="text"),
        pytest.param(bytes(range(1, 200)), id="binary"),
        pytest.param(b"\x30\x82\xff\xff" + b"\x00" * 64, id="der-that-lies-about-its-length"),
        pytest.param(b"\x30\x03\x02\x01\x05", id="tiny-der"),
        pytest.param(b"-----BEGIN FOO", id="half-a-marker"),
    ],
)
def test_garbage_is_unknown_not_a_crash(data):
    result = read(data)
    assert result.certificates == []
    assert any(f.severity == "error" for f in result.findings)
    assert {f.code for f in result.findings} <= {"not-a-certificate", "malformed"}
    _refusal(data)


def test_unknown_pem_label():
    data = b"-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
    assert kinds(data) == ["unknown"]
    assert codes(data) == ["not-a-certificate"]


def test_pkcs7_without_certificates():
    # `openssl crl2pkcs7 -nocrl -outform DER`: a bundle with no certificate in it
    data = base64.b64decode("MCMGCSqGSIb3DQEHAqAWMBQCAQExADALBgkqhkiG9w0BBwExAA==")
    result = read(data)
    assert result.certificates == []
    assert codes(data) == ["not-a-certificate"]


# --- damaged input -----------------------------------------------------------------------


def test_pem_without_end_line(pki):
    data = pki.leaf.pem.split(b"-----END")[0]
    result = read(data)
    assert [(item.kind, item.certificate) for item in result.items] == [("certificate", None)]
    assert [f.code for f in result.findings] == ["malformed"]
    assert "END CERTIFICATE" in result.findings[0].message
    assert "cut short" in _refusal(data)


def test_pem_with_lines_missing(pki):
    lines = pki.leaf.pem.splitlines(True)
    data = b"".join(lines[:5] + lines[8:])
    assert codes(data) == ["malformed"]
    _refusal(data)


def test_truncated_pem_followed_by_a_good_one(pki):
    cut = pki.leaf.pem.split(b"-----END")[0]
    result = read(cut + pki.root.pem)
    assert [c.sha256 for c in result.certificates] == [sha256_of(pki.root.pem)]
    assert [f.code for f in result.findings] == ["malformed"]
    assert result.findings[0].where == "item 1"
    assert _refusal(cut + pki.root.pem).startswith("item 1:")


def test_mismatched_end_line(pki):
    data = pki.leaf.pem.replace(b"-----END CERTIFICATE", b"-----END X509 CRL")
    assert codes(data) == ["malformed"]


def test_damaged_base64(pki):
    data = pki.leaf.pem.replace(b"M", b"!", 3)
    assert codes(data) == ["malformed"]
    assert "base64" in read(data).findings[0].message


def test_truncated_der(pki):
    data = der(pki.leaf.pem)[:-10]
    result = read(data)
    assert result.certificates == []
    assert codes(data) in (["malformed"], ["not-a-certificate"])


@pytest.mark.parametrize("data", [b"", "", b"   \n\t\r\n", "\ufeff", b"\xef\xbb\xbf"])
def test_empty_input(data):
    result = read(data)
    assert result.items == []
    assert [(f.severity, f.code, f.where) for f in result.findings] == [("error", "empty", "input")]
    assert "empty" in _refusal(data)


def test_over_one_mebibyte_is_one_finding(pki):
    data = pki.leaf.pem + b" " * MAX_INPUT_BYTES
    result = read(data)
    assert result.items == []
    assert [(f.severity, f.code) for f in result.findings] == [("error", "too-large")]
    assert "1 MiB" in _refusal(data)


def test_more_than_a_thousand_items_stops_with_one_finding():
    data = b"\x30\x03\x02\x01\x05" * 5000  # tiny DER structures, back to back
    result = read(data)
    assert len(result.items) == 1000
    assert result.findings[-1].code == "too-large"
    assert result.findings[-1].where == "input"


def test_exactly_one_mebibyte_is_read(pki):
    data = pki.leaf.pem + b" " * (MAX_INPUT_BYTES - len(pki.leaf.pem))
    assert len(data) == MAX_INPUT_BYTES
    assert read(data).certificates[0].sha256 == sha256_of(pki.leaf.pem)


def test_lone_surrogates_in_text_do_not_crash():
    assert read("\ud800 -----BEGIN CERTIFICATE-----\n\udfff\n").certificates == []


# --- certificates with one unreadable field ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("custom/two_basic_constraints.pem", "basic_constraints"),
        ("custom/invalid_utf8_common_name.pem", "subject"),
        ("custom/unsupported_subject_public_key_info.pem", "public_key"),
        ("badssl-sct-none-hash.der", "extensions"),
    ],
)
def test_one_unreadable_field_is_marked_and_the_rest_described(name, field):
    data = vector(name)
    result = read(data)
    (cert,) = result.certificates
    assert field in cert.unreadable
    assert len(cert.sha256) == 64 and cert.not_after.year > 1970
    assert [(f.severity, f.code) for f in result.findings] == [("warning", "malformed")]
    assert read_certificates(data) == [cert]  # a warning does not refuse the certificate


def test_broken_sct_extension_keeps_the_sans():
    (cert,) = read(vector("badssl-sct-none-hash.der")).certificates
    assert cert.unreadable == ("extensions",)
    assert cert.dns_names  # read one by one from the DER, as OpenSSL shows them


# --- files, fingerprints and the cache ---------------------------------------------------


def test_read_certificate_file(pki, tmp_path: Path):
    path = tmp_path / "bundle.pem"
    path.write_bytes(pki.leaf.pem + pki.root.pem)
    assert [c.sha256 for c in read_certificate_file(path)] == [
        sha256_of(pki.leaf.pem),
        sha256_of(pki.root.pem),
    ]


def test_read_certificate_file_names_the_path(tmp_path: Path, private_keys):
    missing = tmp_path / "nope.pem"
    with pytest.raises(CertificateInputError, match=f"^{missing}: no such file"):
        read_certificate_file(missing)
    with pytest.raises(CertificateInputError, match="is a directory"):
        read_certificate_file(tmp_path)
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(private_keys["rsa-pkcs1"])
    with pytest.raises(CertificateInputError) as refused:
        read_certificate_file(key_file)
    assert str(refused.value).startswith(f"{key_file}: a private key was pasted")
    _assert_never_echoed(private_keys["rsa-pkcs1"], str(refused.value))


def test_fingerprint_of_pem_der_and_text(pki):
    expected = sha256_of(pki.leaf.pem)
    assert fingerprint(pki.leaf.pem) == expected
    assert fingerprint(pki.leaf.pem.decode()) == expected
    assert fingerprint(der(pki.leaf.pem)) == expected
    assert len(expected) == 64 and expected == expected.lower()
    with pytest.raises(CertificateInputError):
        fingerprint(b"not a certificate")


def test_describe_pem_is_cached_by_text(pki):
    pem = pki.leaf.pem.decode()
    assert describe_pem(pem) is describe_pem(pem)
    assert describe_pem(pem).sha256 == sha256_of(pki.leaf.pem)
    with pytest.raises(CertificateInputError):
        describe_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")


def test_the_package_import_is_cheap():
    import subprocess
    import sys

    code = (
        "import sys, state.certificates as c; "
        "assert 'cryptography.x509' not in sys.modules, 'loaded cryptography'; "
        "c.read; assert 'cryptography.x509' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_ec_and_rsa_keys_are_generated_as_expected(pki):
    # guards the fixtures the other tests rely on
    assert isinstance(
        x509.load_pem_x509_certificate(pki.ec.pem).public_key(), ec.EllipticCurvePublicKey
    )
    assert isinstance(
        x509.load_pem_x509_certificate(pki.rsa1024.pem).public_key(), rsa.RSAPublicKey
    )
