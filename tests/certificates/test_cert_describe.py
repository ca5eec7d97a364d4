"""Describing a certificate: every field, checked against openssl or cryptography itself."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from certificate_helpers import OPENSSL, openssl
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from state.certificates import describe_pem, read
from state.certificates.extensions import read_raw
from state.certificates.issue import SubjectFields, issue_certificate

needs_openssl = pytest.mark.skipif(not OPENSSL, reason="needs the openssl CLI")


def info(pem: bytes):
    return describe_pem(pem.decode())


def vector(name: str) -> bytes:
    import cryptography_vectors

    return cryptography_vectors.open_vector_file(os.path.join("x509", name), "rb").read()


@needs_openssl
@pytest.mark.parametrize("name", ["leaf", "intermediate", "root", "ec", "self_signed", "sha1"])
def test_fields_agree_with_openssl(pki, name, tmp_path):
    pem = getattr(pki, name).pem
    path = tmp_path / "c.pem"
    path.write_bytes(pem)
    out = openssl(
        "x509", "-in", str(path), "-noout", "-nameopt", "RFC2253", "-subject", "-issuer",
        "-serial", "-startdate", "-enddate", "-fingerprint", "-sha256", "-text",
    ).stdout.decode()  # fmt: skip
    cert = info(pem)
    assert f"subject={cert.subject}" in out
    assert f"issuer={cert.issuer}" in out
    assert re.search(r"serial=([0-9A-F]+)", out).group(1).lower() == cert.serial
    openssl_sha = re.search(r"Fingerprint=([0-9A-F:]+)", out).group(1)
    assert openssl_sha.replace(":", "").lower() == cert.sha256
    assert f"notAfter={cert.not_after:%b %e %H:%M:%S %Y} GMT" in out
    assert f"notBefore={cert.not_before:%b %e %H:%M:%S %Y} GMT" in out
    assert f"Public-Key: ({cert.key_bits} bit)" in out
    algorithm = re.search(r"Signature Algorithm: (\S+)", out).group(1).lower()
    assert algorithm.startswith(cert.signature_hash) or cert.signature_hash in algorithm
    assert ("CA:TRUE" in out) == cert.is_ca


def test_leaf_fields(pki):
    cert = info(pki.leaf.pem)
    assert cert.subject == "CN=app1,O=Acme"
    assert cert.subject_cn == "app1"
    assert cert.subject_attributes == {"CN": "app1", "O": "Acme"}
    assert cert.issuer_cn == "Test Intermediate CA"
    assert cert.sans == ("DNS:app1.example.com",)
    assert cert.dns_names == ("app1.example.com",)
    assert (cert.is_ca, cert.self_signed, cert.role) == (False, False, "leaf")
    assert (cert.key_type, cert.key_bits, cert.key_curve) == ("RSA", 2048, None)
    assert cert.signature_hash == "sha256"
    assert cert.key_usage == ("digitalSignature", "keyEncipherment")
    assert cert.extended_key_usage == ("clientAuth",)
    assert cert.unreadable == ()
    assert cert.not_after.tzinfo is not None and cert.not_after.utcoffset() == dt.timedelta(0)
    assert cert.pem.startswith("-----BEGIN CERTIFICATE-----\n")


def test_roles(pki):
    assert info(pki.root.pem).role == "root-ca"
    assert info(pki.root.pem).self_signed
    assert info(pki.intermediate.pem).role == "intermediate-ca"
    assert not info(pki.intermediate.pem).self_signed
    assert info(pki.self_signed.pem).role == "leaf"
    assert info(pki.self_signed.pem).self_signed


def test_self_signed_needs_a_valid_signature_not_just_equal_names(pki):
    # Same subject and issuer, signed by someone else: not self-signed.
    impostor = issue_certificate(pki.root, SubjectFields(cn="Test Root CA", org="redis-tls-wizard"))
    cert = info(impostor.pem)
    assert cert.subject == cert.issuer
    assert not cert.self_signed


def test_ec_key_and_every_san_kind(pki):
    made = issue_certificate(
        pki.intermediate,
        SubjectFields(cn="multi"),
        sans=["a.example.com", "10.0.0.1", "2001:db8::1", "ops@example.com", "spiffe://td/x"],
        key_type="ec",
        bits=384,
    )
    cert = info(made.pem)
    assert cert.sans == (
        "DNS:a.example.com",
        "IP:10.0.0.1",
        "IP:2001:db8::1",
        "email:ops@example.com",
        "URI:spiffe://td/x",
    )
    assert (cert.key_type, cert.key_bits, cert.key_curve) == ("EC", 384, "secp384r1")


def test_all_subject_fields():
    from state.certificates.issue import certificate_authority

    ca = certificate_authority("CA")
    fields = SubjectFields(
        cn="db.example.com", country="US", state="CA", locality="SF", org="Acme", org_unit="Ops"
    )
    cert = info(issue_certificate(ca, fields).pem)
    assert cert.subject_attributes == {
        "CN": "db.example.com",
        "O": "Acme",
        "OU": "Ops",
        "L": "SF",
        "ST": "CA",
        "C": "US",
    }


def test_vectors_for_other_key_types_and_old_hashes():
    (ed,) = read(vector("ed25519/root-ed25519.pem")).certificates
    assert ed.key_type == "Ed25519" and ed.signature_hash is None
    (v1,) = read(vector("v1_cert.pem")).certificates
    assert v1.signature_hash == "md5"
    (md2,) = read(vector("verisign_md2_root.pem")).certificates
    assert md2.signature_hash == "md2"
    assert md2.role == "root-ca"  # a version 1 self-signed root, as OpenSSL treats it
    (dsa,) = read(vector("custom/dsa_selfsigned_ca.pem")).certificates
    assert dsa.key_type == "DSA"
    (zero,) = read(vector("custom/bc_path_length_zero.pem")).certificates
    assert zero.is_ca and zero.path_length == 0


def test_days_left_and_short_line(pki):
    cert = info(pki.leaf.pem)
    now = cert.not_after - dt.timedelta(days=10, hours=1)
    assert cert.days_left(now) == 10
    assert cert.short(now) == (
        f"leaf  CN=app1  issuer CN=Test Intermediate CA  "
        f"expires {cert.not_after:%Y-%m-%d} (10 days)"
    )
    later = cert.not_after + dt.timedelta(days=3, hours=1)
    assert cert.days_left(later) == -4
    assert "expired" in cert.short(later) and "ago" in cert.short(later)


def test_days_left_follows_the_core_clock(pki, monkeypatch):
    cert = info(pki.leaf.pem)
    fixed = cert.not_after - dt.timedelta(days=5, hours=2)
    monkeypatch.setenv("TLS_WIZARD_NOW", fixed.isoformat())
    assert cert.days_left() == 5


def _cryptography_view(pem: bytes):
    cert = x509.load_pem_x509_certificate(pem)
    return cert, info(pem)


@pytest.mark.parametrize(
    "name", ["leaf", "intermediate", "root", "ec", "self_signed", "proxy", "server_only"]
)
def test_fallback_extension_reader_agrees_with_cryptography(pki, name):
    cert, described = _cryptography_view(getattr(pki, name).pem)
    eku_names = {"1.3.6.1.5.5.7.3.1": "serverAuth", "1.3.6.1.5.5.7.3.2": "clientAuth"}
    raw = read_raw(cert.tbs_certificate_bytes, eku_names)
    assert raw.unreadable == []
    assert raw.sans == described.sans
    assert raw.dns_names == described.dns_names
    assert (raw.is_ca, raw.path_length) == (described.is_ca, described.path_length)
    assert raw.key_usage == described.key_usage
    assert raw.extended_key_usage == described.extended_key_usage


def test_the_pem_is_normalized(pki):
    messy = b"junk\r\n" + pki.leaf.pem.replace(b"\n", b"\r\n  ")
    (cert,) = read(messy).certificates
    assert cert.pem == pki.leaf.pem.decode()
    assert (
        cert.pem
        == x509.load_pem_x509_certificate(pki.leaf.pem)
        .public_bytes(serialization.Encoding.PEM)
        .decode()
    )


@pytest.mark.parametrize(
    ("number", "text"), [(0xFE03, "fe03"), (0xF03, "0f03"), (1, "01"), (0, "00"), (-0x1F, "-1f")]
)
def test_serial_is_hex_in_whole_bytes_like_openssl(number, text):
    from state.certificates.describe import _serial

    assert _serial(number) == text
