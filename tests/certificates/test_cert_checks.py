"""Every finding code, in the contexts that decide its severity."""

from __future__ import annotations

import datetime as dt

import pytest
from certificate_helpers import FQDN, resign_sha1
from chain_corpus import CLIENT, dsa_key, ec_key, make
from cryptography.hazmat.primitives import serialization

from state.certificates import check, describe_pem, load_private_key
from state.certificates.checks import CODES, CONTEXTS
from state.certificates.issue import (
    SubjectFields,
    build_certificate,
    issue_certificate,
    new_private_key,
)


def certs(*made):
    return [describe_pem(m.pem.decode()) for m in made]


def run(made, context, **kwargs):
    return check(certs(*made), context, **kwargs)


def by_code(findings, code):
    return [(f.severity, f.where) for f in findings if f.code == code]


def test_a_good_client_certificate_has_no_findings(pki):
    assert run([pki.leaf], "client", alongside=certs(pki.intermediate)) == []
    assert run([pki.leaf, pki.intermediate, pki.root], "client") == []
    assert run([pki.root], "ca") == []


def test_a_good_proxy_chain_has_no_findings(pki):
    key = load_private_key(pki.proxy.key_pem)
    findings = run([pki.proxy, pki.intermediate, pki.root], "proxy", fqdn=FQDN, key=key)
    assert findings == []


@pytest.mark.parametrize("context", CONTEXTS)
def test_expired_is_an_error_everywhere(pki, context):
    findings = run([pki.expired], context)
    assert by_code(findings, "expired") == [("error", "certificate 1")]
    assert "expired on" in next(f.message for f in findings if f.code == "expired")


@pytest.mark.parametrize("context", CONTEXTS)
def test_not_yet_valid_is_an_error_everywhere(pki, context):
    assert by_code(run([pki.not_yet_valid], context), "not-yet-valid") == [
        ("error", "certificate 1")
    ]


def test_expiry_follows_the_given_clock(pki):
    leaf = certs(pki.leaf)[0]
    assert check([leaf], "client", now=leaf.not_after + dt.timedelta(seconds=1))[0].code == (
        "expired"
    )
    assert check([leaf], "client", now=leaf.not_before - dt.timedelta(seconds=1))[0].code == (
        "not-yet-valid"
    )
    soon = check(
        [leaf],
        "client",
        now=leaf.not_after - dt.timedelta(days=29),
        alongside=certs(pki.intermediate),
    )
    assert [(f.severity, f.code) for f in soon] == [("warning", "expires-soon")]
    later = leaf.not_after - dt.timedelta(days=31)
    assert check([leaf], "client", now=later, alongside=certs(pki.intermediate)) == []


def test_expires_soon(pki):
    findings = run([pki.expiring], "client")
    assert by_code(findings, "expires-soon") == [("warning", "certificate 1")]
    assert "in 9 days" in findings[0].message or "in 10 days" in findings[0].message


@pytest.mark.parametrize(
    ("context", "severity"),
    [("client", "info"), ("ca", "warning"), ("proxy", "warning"), ("syncer", "info")],
)
def test_self_signed_leaf(pki, context, severity):
    assert by_code(run([pki.self_signed], context), "self-signed") == [(severity, "certificate 1")]


def test_a_self_signed_root_ca_is_not_news(pki):
    assert by_code(run([pki.root], "client"), "self-signed") == []


@pytest.mark.parametrize("context", CONTEXTS)
def test_weak_rsa_key(pki, context):
    findings = run([pki.rsa1024], context)
    assert by_code(findings, "weak-key") == [("error", "certificate 1")]
    assert "1024-bit RSA" in next(f.message for f in findings if f.code == "weak-key")


def test_ec_256_is_not_weak(pki):
    assert by_code(run([pki.ec], "client"), "weak-key") == []


def test_weak_signature(pki):
    assert by_code(run([pki.sha1], "client"), "weak-signature") == [("error", "certificate 1")]
    # A root's signature on itself is not checked by OpenSSL: only a warning.
    sha1_root = resign_sha1(pki.root, pki.root)
    assert certs(sha1_root)[0].self_signed
    assert by_code(run([sha1_root], "ca"), "weak-signature") == [("warning", "certificate 1")]


def test_missing_client_auth_for_a_client_certificate(pki):
    findings = run([pki.server_only], "client")
    assert by_code(findings, "missing-client-auth") == [("error", "certificate 1")]
    assert "serverAuth without clientAuth" in findings[0].message


def test_no_eku_at_all_is_fine_for_a_client(pki):
    no_eku = issue_certificate(pki.intermediate, SubjectFields(cn="noeku"), eku=())
    assert certs(no_eku)[0].extended_key_usage == ()
    assert run([no_eku], "client", alongside=certs(pki.intermediate)) == []


@pytest.mark.parametrize("context", ["proxy", "syncer"])
def test_server_side_certificates_need_both_usages(pki, context):
    assert by_code(run([pki.leaf], context), "missing-server-auth") == [("error", "certificate 1")]
    assert by_code(run([pki.server_only], context), "missing-client-auth") == [
        ("error", "certificate 1")
    ]
    no_eku = issue_certificate(pki.intermediate, SubjectFields(cn="noeku"), eku=())
    findings = run([no_eku], context)
    assert by_code(findings, "missing-server-auth") == [("warning", "certificate 1")]
    assert by_code(findings, "missing-client-auth") == [("warning", "certificate 1")]


def test_client_certificate_context_does_not_ask_for_server_auth(pki):
    assert by_code(run([pki.leaf], "client"), "missing-server-auth") == []


@pytest.mark.parametrize("context", ["proxy", "syncer"])
def test_ca_as_leaf(pki, context):
    assert by_code(run([pki.root], context), "ca-as-leaf") == [("error", "certificate 1")]
    assert by_code(run([pki.root], "client"), "ca-as-leaf") == []


def test_chain_order_for_the_proxy(pki):
    findings = run([pki.proxy, pki.root, pki.intermediate], "proxy", fqdn=FQDN)
    assert by_code(findings, "chain-order") == [("error", "certificate 1")]
    assert "1, 3, 2" in next(f.message for f in findings if f.code == "chain-order")
    broken = run([pki.proxy, pki.other_root], "proxy", fqdn=FQDN)
    assert by_code(broken, "chain-order") == [("error", "certificate 2")]
    assert "did not issue" in next(f.message for f in broken if f.code == "chain-order")
    assert by_code(run([pki.proxy, pki.intermediate], "proxy", fqdn=FQDN), "chain-order") == []


def test_chain_order_in_a_database_is_only_a_note(pki):
    findings = run([pki.root, pki.intermediate], "client")
    assert by_code(findings, "chain-order") == [("info", "certificate 2")]
    # Unrelated CAs side by side are normal in a trusted list.
    assert by_code(run([pki.root, pki.other_root], "client"), "chain-order") == []


def test_san_mismatch(pki):
    assert by_code(run([pki.leaf], "proxy", fqdn=FQDN), "san-mismatch") == [
        ("error", "certificate 1")
    ]
    assert by_code(run([pki.leaf], "syncer", fqdn=FQDN), "san-mismatch") == [
        ("warning", "certificate 1")
    ]
    assert by_code(run([pki.proxy], "proxy", fqdn=FQDN.upper()), "san-mismatch") == []
    assert by_code(run([pki.leaf], "proxy"), "san-mismatch") == []  # no FQDN, no check


def test_san_mismatch_names_what_is_missing(pki):
    partial = issue_certificate(
        pki.intermediate,
        SubjectFields(cn=FQDN),
        sans=[FQDN, f"*.{FQDN}"],
        eku=("serverAuth", "clientAuth"),
    )
    (finding,) = [f for f in run([partial], "proxy", fqdn=FQDN) if f.code == "san-mismatch"]
    # *.FQDN covers internal.FQDN, but a wildcard is needed for *.internal.FQDN
    assert f"*.internal.{FQDN}" in finding.message.split(";")[0]
    assert f" internal.{FQDN}," not in finding.message.split(";")[0]


def _self_signed_with(sans: list[str]) -> str:
    key = new_private_key("rsa", 2048)
    name = SubjectFields(cn=FQDN).to_name()
    certificate = build_certificate(name, key.public_key(), name, key, sans=sans)
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


@pytest.mark.parametrize("context", ["proxy", "syncer"])
def test_the_products_self_signed_certificates_need_only_the_fqdn_and_its_wildcard(context):
    # What a cluster ships with carries FQDN and *.FQDN; the four names are asked of
    # CA-signed certificates only (test_san_mismatch_names_what_is_missing).
    shipped = describe_pem(_self_signed_with([FQDN, f"*.{FQDN}"]))
    assert shipped.self_signed
    assert [f for f in check([shipped], context, fqdn=FQDN) if f.code == "san-mismatch"] == []
    bare = describe_pem(_self_signed_with([FQDN]))
    (finding,) = [f for f in check([bare], context, fqdn=FQDN) if f.code == "san-mismatch"]
    assert f"*.{FQDN}" in finding.message and "internal" not in finding.message


def test_key_mismatch(pki):
    wrong = load_private_key(pki.leaf.key_pem)
    assert by_code(run([pki.proxy], "proxy", fqdn=FQDN, key=wrong), "key-mismatch") == [
        ("error", "certificate 1")
    ]
    right = load_private_key(pki.proxy.key_pem)
    assert by_code(run([pki.proxy], "proxy", fqdn=FQDN, key=right), "key-mismatch") == []


def test_any_context_reports_only_what_is_wrong_everywhere(pki):
    assert run([pki.server_only, pki.root], "any") == []
    assert {f.code for f in run([pki.rsa1024], "any")} == {"weak-key"}


def test_unknown_context_is_a_programming_error(pki):
    with pytest.raises(ValueError, match="context"):
        check(certs(pki.leaf), "database")


def test_empty_list_has_no_findings():
    assert check([], "proxy", fqdn=FQDN) == []


def test_messages_are_one_line(pki):
    findings = run(
        [pki.expired, pki.rsa1024, pki.sha1, pki.root, pki.intermediate], "proxy", fqdn=FQDN
    )
    assert findings
    assert all("\n" not in f.message for f in findings)


def test_every_code_comes_out_of_one_of_these_inputs(pki):
    wrong_key = load_private_key(pki.proxy.key_pem)
    scenarios = [
        ([pki.expired, pki.not_yet_valid, pki.expiring, pki.self_signed], "proxy", {}),
        ([pki.rsa1024, pki.sha1, pki.server_only], "client", {}),
        ([pki.leaf], "proxy", {"fqdn": FQDN, "key": wrong_key}),
        ([pki.root, pki.intermediate], "proxy", {}),
        ([pki.leaf], "client", {}),
    ]
    seen = {f.code for made, context, kw in scenarios for f in run(made, context, **kw)}
    seen |= {f.code for f in check([_dsa_leaf(), _p224_leaf()], "client")}
    assert seen == set(CODES)


def _dsa_leaf():
    ca = make("DSA Test CA", dsa_key(2048, 1), ca=True)
    return describe_pem(make("dsa-client", dsa_key(2048, 2), ca, eku=[CLIENT]).pem.decode())


def _p224_leaf():
    ca = make("P224 Test CA", ec_key("secp256r1", 1), ca=True)
    leaf = make("p224-client", ec_key("secp224r1", 2), ca, eku=[CLIENT])
    return describe_pem(leaf.pem.decode())


def test_a_dsa_client_works_only_below_tls13():
    findings = check([_dsa_leaf()], "client")
    assert by_code(findings, "dsa-tls12-only") == [("warning", "certificate 1")]
    assert "TLS 1.2" in next(f.message for f in findings if f.code == "dsa-tls12-only")


def test_a_p224_client_is_strong_enough_but_no_handshake_signs_with_it():
    findings = check([_p224_leaf()], "client")
    assert by_code(findings, "weak-key") == []
    assert by_code(findings, "curve-without-tls-signatures") == [("error", "certificate 1")]


def test_a_ca_signed_leaf_needs_its_ca_for_the_redis_target(pki):
    alone = run([pki.leaf], "client")
    assert by_code(alone, "leaf-without-ca") == [("info", "certificate 1")]
    message = next(f.message for f in alone if f.code == "leaf-without-ca")
    assert "Redis Enterprise accepts" in message and "add that CA" in message
    assert by_code(run([pki.leaf, pki.intermediate], "client"), "leaf-without-ca") == []
    beside = check(certs(pki.leaf), "client", alongside=certs(pki.intermediate))
    assert by_code(beside, "leaf-without-ca") == []
    assert by_code(run([pki.self_signed], "client"), "leaf-without-ca") == []
    assert by_code(run([pki.leaf], "proxy", fqdn=FQDN), "leaf-without-ca") == []
