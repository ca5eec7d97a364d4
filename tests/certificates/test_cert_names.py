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
