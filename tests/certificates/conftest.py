"""Fixtures for the inspector's tests: one small PKI, built once per session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from certificate_helpers import FQDN, resign_sha1
from cryptography.hazmat.primitives import serialization

from state.certificates.issue import (
    KeyAndCertificate,
    SubjectFields,
    build_certificate,
    certificate_authority,
    issue_certificate,
    new_private_key,
    private_key_pem,
    self_signed_cluster_certificate,
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fuzz: hypothesis fuzzing of the reader; TLS_WIZARD_FUZZ_EXAMPLES raises the count",
    )


@dataclass(frozen=True)
class Pki:
    """A root, an intermediate under it, and leaves and oddities for every test case."""

    root: KeyAndCertificate
    intermediate: KeyAndCertificate
    leaf: KeyAndCertificate  # clientAuth, SAN app1.example.com, issued by the intermediate
    other_root: KeyAndCertificate
    expired: KeyAndCertificate
    not_yet_valid: KeyAndCertificate
    expiring: KeyAndCertificate
    server_only: KeyAndCertificate
    cn_only: KeyAndCertificate
    sha1: KeyAndCertificate
    rsa1024: KeyAndCertificate
    ec: KeyAndCertificate
    root_without_key_usage: KeyAndCertificate
    leaf_of_root_without_key_usage: KeyAndCertificate
    self_signed: KeyAndCertificate  # what the cluster ships: serverAuth + clientAuth
    self_signed_server_only: KeyAndCertificate
    proxy: KeyAndCertificate  # CA-signed proxy certificate with the documented SANs


def _self_signed(cn: str, eku: tuple[str, ...]) -> KeyAndCertificate:
    key = new_private_key("rsa", 2048)
    name = SubjectFields(cn=cn).to_name()
    certificate = build_certificate(name, key.public_key(), name, key, sans=[cn], eku=eku)
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    return KeyAndCertificate(private_key_pem(key), pem)


@pytest.fixture(scope="session")
def pki() -> Pki:
    now = dt.datetime.now(dt.UTC)
    root = certificate_authority("Test Root CA")
    intermediate = issue_certificate(root, SubjectFields(cn="Test Intermediate CA"), is_ca=True)

    def leaf(cn: str, **kwargs) -> KeyAndCertificate:
        kwargs.setdefault("sans", [f"{cn}.example.com"])
        return issue_certificate(intermediate, SubjectFields(cn=cn, org="Acme"), **kwargs)

    root_without_key_usage = certificate_authority("Root Without KeyUsage", key_usage=False)
    return Pki(
        root=root,
        intermediate=intermediate,
        leaf=leaf("app1"),
        other_root=certificate_authority("Other Root CA"),
        expired=leaf("expired", not_before=now - dt.timedelta(days=400)),
        not_yet_valid=leaf("future", not_before=now + dt.timedelta(days=10)),
        expiring=leaf("expiring", not_before=now - dt.timedelta(days=355)),
        server_only=leaf("server", eku=("serverAuth",)),
        cn_only=leaf("cnonly", sans=None),
        sha1=resign_sha1(leaf("sha1"), intermediate),
        rsa1024=leaf("weak", bits=1024),
        ec=leaf("ec", key_type="ec", bits=256),
        root_without_key_usage=root_without_key_usage,
        leaf_of_root_without_key_usage=issue_certificate(
            root_without_key_usage, SubjectFields(cn="nokuleaf"), sans=["nokuleaf.example.com"]
        ),
        self_signed=self_signed_cluster_certificate(FQDN),
        self_signed_server_only=_self_signed("server-only.example.com", ("serverAuth",)),
        proxy=issue_certificate(
            intermediate,
            SubjectFields(cn=FQDN),
            sans=[FQDN, f"*.{FQDN}", f"internal.{FQDN}", f"*.internal.{FQDN}"],
            eku=("serverAuth", "clientAuth"),
        ),
    )
