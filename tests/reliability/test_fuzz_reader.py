"""Hypothesis on the certificate reader: whatever is pasted, `read` returns a result
(never raises), every finding is one non-empty line, and the strict reader used when a
certificate is added raises only CertificateInputError with a one-line message.

Inputs: arbitrary bytes, valid PEM and DER certificates with bytes flipped, cut or
inserted, PEM blocks with random labels and bodies, and mixes of certificates and keys.
Whatever is read as a certificate can be stored: its PEM hashes to its SHA-256 key, as
the state loader checks.
"""

from __future__ import annotations

import base64
import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import sizes

from state.certificates import CertificateInputError, read, read_certificates
from state.certificates.info import KINDS
from state.certificates.issue import (
    SubjectFields,
    certificate_authority,
    issue_certificate,
    new_private_key,
    private_key_pem,
)
from state.schema import pem_sha256


@functools.cache
def _pool() -> dict[str, list[bytes]]:
    ca = certificate_authority("Fuzz CA")
    leaf = issue_certificate(ca, SubjectFields(cn="fuzz.example.com"), sans=["fuzz.example.com"])
    ec = issue_certificate(ca, SubjectFields(cn="ec.example.com"), key_type="ec", bits=256)
    pems = [ca.pem, leaf.pem, ec.pem]
    ders = [base64.b64decode(b"".join(p.splitlines()[1:-1])) for p in pems]
    keys = [private_key_pem(new_private_key("ec", 256)), leaf.key_pem]
    return {"pem": pems, "der": ders, "key": keys}


@st.composite
def mutated(draw, source: str) -> bytes:
    data = bytearray(draw(st.sampled_from(_pool()[source])))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "duplicate"]))
        if action == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 30))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif action == "truncate":
            del data[at:]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 60))]
    return bytes(data)


_LABELS = st.sampled_from(
    ["CERTIFICATE", "PRIVATE KEY", "RSA PRIVATE KEY", "PKCS7", "X509 CRL", "CERTIFICATE REQUEST",
     "TRUSTED CERTIFICATE", "PUBLIC KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY"]
) | st.text(max_size=20)  # fmt: skip


@st.composite
def pem_blocks(draw) -> bytes:
    """A few PEM blocks with random labels, bodies and text around them."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        label = draw(_LABELS)
        body = draw(st.binary(max_size=200) | st.sampled_from(_pool()["der"]))
        text = base64.encodebytes(body).decode()
        end = label if draw(st.booleans()) else draw(_LABELS)
        parts.append(draw(st.text(max_size=20)))
        parts.append(f"-----BEGIN {label}-----\n{text}-----END {end}-----\n")
    return "".join(parts).encode("utf-8", "surrogatepass")


@st.composite
def mixes(draw) -> bytes:
    chosen = draw(
        st.lists(st.sampled_from(_pool()["pem"] + _pool()["key"]), min_size=1, max_size=4)
    )
    return draw(st.text(max_size=10)).encode() + b"\n".join(chosen)


INPUTS = (
    st.binary(max_size=600)
    | mutated("pem")
    | mutated("der")
    | mutated("key")
    | pem_blocks()
    | mixes()
    | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))
)


def _check_one(data: bytes, tally: dict[str, int]) -> None:
    result = read(data)
    for finding in result.findings:
        assert finding.severity in ("error", "warning", "info")
        assert finding.message.strip() and "\n" not in finding.message, finding
    for item in result.items:
        assert item.kind in KINDS
        assert "PRIVATE KEY-----" not in item.label
    for certificate in result.certificates:
        assert pem_sha256(certificate.pem) == certificate.sha256, "stored PEM would not load"
    try:
        read_certificates(data)
        tally["certificates"] += 1
    except CertificateInputError as error:
        message = str(error)
        assert message.strip() and "\n" not in message, message
        tally["refused"] += 1
    if result.has_private_key:
        tally["keys"] += 1


@pytest.mark.parametrize("examples", sizes(300, 10_000))
def test_the_reader_never_raises_and_refuses_in_one_line(examples, reliability_report):
    tally = {"certificates": 0, "refused": 0, "keys": 0}

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(INPUTS)
    def check(data: bytes) -> None:
        _check_one(data, tally)

    check()
    reliability_report(
        f"{examples} generated inputs to the certificate reader: {tally['refused']} refused in one "
        f"line, {tally['certificates']} read as certificates, {tally['keys']} held a private key; "
        "read() never raised"
    )
