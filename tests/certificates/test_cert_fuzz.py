"""Fuzzing the reader: random bytes and text, and mutated PEM and DER of every kind.

Whatever comes in, ``read`` returns a ReadResult with known kinds and codes, and the
strict readers raise nothing but CertificateInputError. ``TLS_WIZARD_FUZZ_EXAMPLES``
raises the number of examples per test (default 200), e.g. for a long run:
``TLS_WIZARD_FUZZ_EXAMPLES=20000 pytest -m fuzz tests/certificates``.
"""

from __future__ import annotations

import json
import os

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from state.certificates import (
    CertificateInputError,
    load_private_key,
    read,
    read_certificates,
)
from state.certificates.checks import CODES
from state.certificates.info import KINDS
from state.certificates.issue import create_key_and_csr
from state.certificates.report import to_json

EXAMPLES = int(os.environ.get("TLS_WIZARD_FUZZ_EXAMPLES", "200"))
READER_CODES = {"empty", "too-large", "private-key", "not-a-certificate", "malformed"}

pytestmark = pytest.mark.fuzz
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def seeds(pki) -> dict[str, list[bytes]]:
    certs = [x509.load_pem_x509_certificate(p) for p in (pki.leaf.pem, pki.intermediate.pem)]
    csr = create_key_and_csr("fuzz.example.com")
    pem = [
        pki.leaf.pem,
        pki.leaf.pem + pki.intermediate.pem + pki.root.pem,
        pki.ec.pem + pki.ec.key_pem,
        pki.leaf.key_pem,
        csr.pem,
        pkcs7.serialize_certificates(certs, serialization.Encoding.PEM),
    ]
    der = [
        certs[0].public_bytes(serialization.Encoding.DER),
        pkcs7.serialize_certificates(certs, serialization.Encoding.DER),
        x509.load_pem_x509_csr(csr.pem).public_bytes(serialization.Encoding.DER),
        serialization.load_pem_private_key(pki.ec.key_pem, None).private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    ]
    return {"pem": pem, "der": der}


def mutate(data: st.DataObject, seed: bytes) -> bytes:
    buffer = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 6), label="mutations")):
        if not buffer:
            break
        at = data.draw(st.integers(0, len(buffer) - 1), label="at")
        operation = data.draw(
            st.sampled_from(["flip", "set", "delete", "insert", "truncate", "duplicate"])
        )
        if operation == "flip":
            buffer[at] ^= 1 << data.draw(st.integers(0, 7))
        elif operation == "set":
            buffer[at] = data.draw(st.integers(0, 255))
        elif operation == "delete":
            del buffer[at : at + data.draw(st.integers(1, 64))]
        elif operation == "insert":
            buffer[at:at] = data.draw(st.binary(min_size=1, max_size=32))
        elif operation == "truncate":
            del buffer[at:]
        else:
            buffer[at:at] = buffer[at : at + data.draw(st.integers(1, 256))]
    return bytes(buffer)


def assert_well_formed(data: bytes | str) -> None:
    result = read(data)
    assert all(item.kind in KINDS for item in result.items)
    assert all(f.code in READER_CODES for f in result.findings)
    assert all(f.severity in ("error", "warning", "info") for f in result.findings)
    assert all("\n" not in f.message for f in result.findings)
    json.dumps(to_json(result, result.findings, None))
    try:
        read_certificates(data)
    except CertificateInputError as error:
        assert "\n" not in str(error)


@fuzz
@given(st.binary(max_size=4096))
def test_random_bytes(data):
    assert_well_formed(data)


@fuzz
@given(st.text(max_size=2048))
def test_random_text(text):
    assert_well_formed(text)


@fuzz
@given(data=st.data())
def test_mutated_pem(seeds, data):
    seed = data.draw(st.sampled_from(seeds["pem"]), label="seed")
    assert_well_formed(mutate(data, seed))


@fuzz
@given(data=st.data())
def test_mutated_der(seeds, data):
    seed = data.draw(st.sampled_from(seeds["der"]), label="seed")
    assert_well_formed(mutate(data, seed))


@fuzz
@given(data=st.data())
def test_mutated_keys_only_raise_input_errors(pki, data):
    try:
        load_private_key(mutate(data, pki.leaf.key_pem))
    except CertificateInputError as error:
        assert "\n" not in str(error)


def test_reader_codes_and_check_codes_do_not_overlap():
    assert not READER_CODES & set(CODES) - {"malformed", "private-key", "not-a-certificate"}
