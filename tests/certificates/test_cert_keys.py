"""Private key files: loaded when they are keys, refused plainly (and unechoed) otherwise."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from certificate_helpers import key_body_chunks
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from state.certificates import (
    CertificateInputError,
    describe_pem,
    key_matches,
    load_private_key,
)

FMT = serialization.PrivateFormat
NONE = serialization.NoEncryption()
PEM, DER = serialization.Encoding.PEM, serialization.Encoding.DER


@pytest.fixture(scope="module")
def rsa_key(pki):
    return serialization.load_pem_private_key(pki.leaf.key_pem, password=None)


@pytest.mark.parametrize(
    ("encoding", "form"),
    [
        (PEM, FMT.PKCS8),
        (PEM, FMT.TraditionalOpenSSL),
        (PEM, FMT.OpenSSH),
        (DER, FMT.PKCS8),
        (DER, FMT.TraditionalOpenSSL),
    ],
    ids=["pkcs8", "pkcs1", "openssh", "der-pkcs8", "der-pkcs1"],
)
def test_loads_every_plain_form(pki, rsa_key, encoding, form):
    data = rsa_key.private_bytes(encoding, form, NONE)
    key = load_private_key(data)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key_matches(describe_pem(pki.leaf.pem.decode()), key)


def test_loads_ec_keys_and_keys_beside_certificates_with_crlf(pki):
    key = load_private_key((pki.ec.pem + pki.ec.key_pem).replace(b"\n", b"\r\n"))
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key_matches(describe_pem(pki.ec.pem.decode()), key)


def test_openssl_ecparam_output_with_parameters_first(pki):
    key = serialization.load_pem_private_key(pki.ec.key_pem, password=None)
    sec1 = key.private_bytes(PEM, FMT.TraditionalOpenSSL, NONE)
    params = b"-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
    assert isinstance(load_private_key(params + sec1), ec.EllipticCurvePrivateKey)


def test_key_matches_is_false_for_another_key(pki):
    other = load_private_key(pki.proxy.key_pem)
    assert not key_matches(describe_pem(pki.leaf.pem.decode()), other)
    assert not key_matches(describe_pem(pki.leaf.pem.decode()), object())
    assert not key_matches(
        describe_pem(pki.leaf.pem.decode()), ed25519.Ed25519PrivateKey.generate()
    )


@pytest.mark.parametrize(
    ("encoding", "form"),
    [(PEM, FMT.PKCS8), (PEM, FMT.TraditionalOpenSSL), (DER, FMT.PKCS8)],
    ids=["pkcs8", "legacy-pem", "der"],
)
def test_encrypted_keys_are_refused_with_advice(rsa_key, encoding, form):
    data = rsa_key.private_bytes(encoding, form, serialization.BestAvailableEncryption(b"pw"))
    with pytest.raises(CertificateInputError) as refused:
        load_private_key(data, source="keys/proxy.key")
    message = str(refused.value)
    assert message.startswith("keys/proxy.key: ")
    assert "passphrase" in message and "openssl pkey" in message
    assert refused.value.__cause__ is None and refused.value.__context__ is None
    if encoding is PEM:
        for chunk in key_body_chunks(data):
            assert chunk not in message


@pytest.mark.skipif(not shutil.which("ssh-keygen"), reason="needs ssh-keygen")
def test_encrypted_openssh_key_is_refused_without_bcrypt(tmp_path):
    # cryptography needs the bcrypt module to open these; the refusal must not.
    path = tmp_path / "id"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "pw", "-f", str(path)], check=True)
    with pytest.raises(CertificateInputError, match="passphrase"):
        load_private_key(path.read_bytes())
    plain = tmp_path / "plain"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(plain)], check=True)
    assert isinstance(load_private_key(plain.read_bytes()), ed25519.Ed25519PrivateKey)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "holds no private key"),
        (b"garbage", "unknown"),
    ],
)
def test_not_a_key(data, words):
    with pytest.raises(CertificateInputError, match=words):
        load_private_key(data, source="k.pem")


def test_a_certificate_is_not_a_key(pki):
    with pytest.raises(CertificateInputError, match="holds certificate, not a private key"):
        load_private_key(pki.leaf.pem, source="cert.pem")


def test_damaged_key_says_so_without_echoing(pki):
    lines = pki.leaf.key_pem.splitlines(True)
    damaged = b"".join(lines[:3] + lines[6:])
    with pytest.raises(CertificateInputError, match="could not be read") as refused:
        load_private_key(damaged)
    for chunk in key_body_chunks(damaged):
        assert chunk not in str(refused.value)


def test_a_der_key_whose_bytes_hold_crlf_is_still_read_as_der(rsa_key):
    """DER is binary: a 0x0d 0x0a pair inside it is data, not a line end to normalise.
    About one encrypted DER key in 55 holds such a pair; the salt makes each one new."""
    encryption = serialization.BestAvailableEncryption(b"pw")
    der = b""
    for _ in range(2000):
        der = rsa_key.private_bytes(DER, FMT.PKCS8, encryption)
        if b"\r\n" in der:
            break
    assert b"\r\n" in der
    with pytest.raises(CertificateInputError, match="passphrase"):
        load_private_key(der, source="k")
