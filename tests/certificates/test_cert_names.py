"""Subject validation: san_cn (names) and full_subject (every field)."""

from __future__ import annotations

import pytest

from state.certificates import describe_pem, name_matches, subject_matches
from state.certificates.issue import SubjectFields, issue_certificate


@pytest.fixture(scope="module")
def multi(pki):
    made = issue_certificate(
        pki.intermediate,
        SubjectFields(cn="App1.Example.com", org="Acme", org_unit="Ops", country="US"),
        sans=["app1.example.com", "*.svc.example.com", "10.0.0.1", "::1", "ops@Example.com",
              "spiffe://td/app1"],
    )  # fmt: skip
    return describe_pem(made.pem.decode())


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["app1.example.com"], True),
        (["APP1.example.COM"], True),  # DNS is case-insensitive
        (["app1.example.com."], True),  # a trailing dot is the same name
        (["other.example.com", "app1.example.com"], True),
        (["app2.example.com"], False),
        (["*.example.com"], True),  # a listed wildcard covers app1.example.com
        (["*.com"], False),  # ... but exactly one label
        (["db.svc.example.com"], True),  # the certificate's wildcard covers one label
        (["a.db.svc.example.com"], False),
        (["svc.example.com"], False),
        (["10.0.0.1"], True),
        (["10.0.0.2"], False),
        (["0:0::1"], True),  # IP addresses compare as addresses
        (["ops@example.com"], True),  # e-mail domains are case-insensitive
        (["OPS@example.com"], False),  # local parts are not
        (["spiffe://td/app1"], True),
        (["spiffe://TD/app1"], False),  # URIs exactly
        (["app1.example.com/"], False),
        ([], False),
        ([""], False),
    ],
)
def test_name_matches(multi, names, expected):
    assert name_matches(multi, names) is expected


def test_the_common_name_counts_too(pki):
    cn_only = describe_pem(pki.cn_only.pem.decode())
    assert cn_only.sans == ()
    assert name_matches(cn_only, ["cnonly"])
    assert name_matches(cn_only, ["CNONLY"])
    assert not name_matches(cn_only, ["cnonly.example.com"])


BASE = {"CN": "App1.Example.com", "O": "Acme", "OU": "Ops", "C": "US"}


@pytest.mark.parametrize(
    ("subjects", "expected"),
    [
        ([BASE], True),
        ([{**BASE, "L": "", "ST": ""}], True),  # empty listed fields are absent fields
        ([{k.lower(): v for k, v in BASE.items()}], True),  # field names in any case
        ([{**BASE, "OU": ["Ops"]}], True),  # OU as a list, as the REST API gives it
        ([{**BASE, "CN": "app1.example.com"}], False),  # values are case-sensitive
        ([{"CN": "App1.Example.com"}], False),  # O, OU and C must match too: none listed
        ([{**BASE, "L": "SF"}], False),  # a listed field the certificate lacks
        ([{"CN": "x"}, BASE], True),  # any listed subject
        ([], False),
        ([{}], False),
    ],
)
def test_subject_matches(multi, subjects, expected):
    assert subject_matches(multi, subjects) is expected


def test_a_cn_only_subject_matches_a_cn_only_certificate(pki):
    cert = describe_pem(issue_certificate(pki.root, SubjectFields(cn="solo")).pem.decode())
    assert subject_matches(cert, [{"CN": "solo"}])
    assert not subject_matches(cert, [{"CN": "solo", "O": "Acme"}])


# -- san_cn and full_subject as the product applies them --------------------------------


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["app1.example.com"], True),  # a SAN DNS entry, exactly
        (["App1.Example.com"], True),  # the CN, exactly
        (["APP1.example.COM"], False),  # case-sensitive
        (["app1.example.com."], False),  # exact text: a trailing dot is another name
        (["*.example.com"], False),  # a listed wildcard is never a pattern
        (["*.svc.example.com"], False),  # ... nor matched as text
        (["db.svc.example.com"], False),  # the certificate's wildcard covers nothing
        (["10.0.0.1"], False),  # IP entries are not compared
        (["::1"], False),
        (["ops@Example.com"], False),  # nor e-mail entries
        (["spiffe://td/app1"], False),  # nor URIs
        (["other.example.com", "app1.example.com"], True),
        ([], False),
    ],
)
def test_san_cn_matches_only_dns_entries_and_the_cn_exactly(multi, names, expected):
    from state.certificates import san_cn_matches

    assert san_cn_matches(multi, names) is expected


def _two_units(ous: list[str]):
    """A certificate whose subject has CN=app1, O=Acme and one OU attribute per unit."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "app1"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme"),
            *[x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou) for ou in ous],
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Some CA")]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return describe_pem(cert.public_bytes(serialization.Encoding.PEM).decode())


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ({"CN": "app1", "O": "Acme", "OU": ["Ops", "Pay, EU"]}, True),
        ({"CN": "app1", "O": "Acme", "OU": ["Pay, EU", "Ops"]}, True),  # any order
        ({"CN": "app1", "O": "Acme", "OU": ["Ops"]}, False),  # one unit missing
        ({"CN": "app1", "O": "Acme", "OU": "Ops, Pay, EU"}, False),  # not one joined value
        ({"CN": "app1", "O": "Acme", "OU": ["Ops", "Pay", "EU"]}, False),
        ({"CN": "app1", "O": "acme", "OU": ["Ops", "Pay, EU"]}, False),  # case-sensitive
        ({"CN": "app1", "OU": ["Ops", "Pay, EU"]}, False),  # O left out but present
    ],
)
def test_full_subject_compares_ou_as_a_list(subject, expected):
    from state.certificates import full_subject_matches

    certificate = _two_units(["Ops", "Pay, EU"])
    assert full_subject_matches(certificate, [subject]) is expected


def test_client_verdict_says_when_no_check_happens(multi, pki):
    from state.certificates import client_verdict

    ca = describe_pem(pki.intermediate.pem.decode())
    assert client_verdict(multi, "san", ["app1.example.com"], [], False) == "yes"
    assert client_verdict(multi, "san", ["APP1.example.com"], [], False) == "no"
    assert client_verdict(multi, "san", ["x"], [], True).startswith("not checked")
    assert client_verdict(ca, "san", ["x"], [], False).startswith("CA")
    assert client_verdict(multi, "none", [], [], True) == "yes (no check)"
