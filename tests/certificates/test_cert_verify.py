"""The verification matrix: our verdict against OpenSSL's, case by case.

Two OpenSSL oracles, both run here:

- ``openssl verify -purpose sslclient -auth_level 2``: what the issue asks for. The
  ``-auth_level 2`` is how a TLS server checks its peer: ``ssl_verify_cert_chain`` sets the
  verification auth level to the context's security level, which is 2 on this Debian
  (OpenSSL built with OPENSSL_TLS_SECURITY_LEVEL=2) and in Redis by default.
- a real TLS handshake through Python's ``ssl`` (the same OpenSSL library) with a server
  context set up as Redis sets it up: ``CERT_REQUIRED`` and the trusted certificates as
  ``tls-ca-cert-file``. This confirms the first oracle is the right one.
"""

from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass
from pathlib import Path

import pytest
from certificate_helpers import OPENSSL, openssl, write

from state.certificates import describe_pem, verify_client
from state.certificates.issue import KeyAndCertificate


@dataclass(frozen=True)
class Case:
    peer: str
    intermediates: tuple[str, ...]
    trusted: tuple[str, ...]


MATRIX = {
    # the ten cases of the issue
    "valid-chain": Case("leaf", ("intermediate",), ("root",)),
    "missing-intermediate": Case("leaf", (), ("root",)),
    "expired-leaf": Case("expired", ("intermediate",), ("root",)),
    "wrong-ca": Case("leaf", ("intermediate",), ("other_root",)),
    "server-auth-only-leaf": Case("server_only", ("intermediate",), ("root",)),
    "cn-only-leaf-without-san": Case("cn_only", ("intermediate",), ("root",)),
    "ca-without-key-usage": Case("leaf_of_root_without_key_usage", (), ("root_without_key_usage",)),
    "self-signed-client-trusted-directly": Case("self_signed", (), ("self_signed",)),
    "sha1-signed-leaf": Case("sha1", ("intermediate",), ("root",)),
    "rsa-1024-leaf": Case("rsa1024", ("intermediate",), ("root",)),
    # and the edges around them
    "not-yet-valid-leaf": Case("not_yet_valid", ("intermediate",), ("root",)),
    "ec-leaf": Case("ec", ("intermediate",), ("root",)),
    "intermediate-in-the-trusted-list-with-root": Case("leaf", (), ("intermediate", "root")),
    "only-the-intermediate-trusted": Case("leaf", (), ("intermediate",)),
    "ca-issued-leaf-trusted-directly": Case("leaf", (), ("leaf",)),
    "self-signed-client-not-trusted": Case("self_signed", (), ("root",)),
    "self-signed-server-only-trusted-directly": Case(
        "self_signed_server_only", (), ("self_signed_server_only",)
    ),
    "client-sends-an-untrusted-root": Case("leaf", ("intermediate", "other_root"), ("root",)),
    "chain-to-an-untrusted-root": Case("leaf", ("intermediate", "root"), ("other_root",)),
    "a-ca-certificate-as-the-client": Case("intermediate", (), ("root",)),
    "the-trusted-root-as-the-client": Case("root", (), ("root",)),
}


def _pems(pki, names) -> list[KeyAndCertificate]:
    return [getattr(pki, name) for name in names]


def _info(made: KeyAndCertificate):
    return describe_pem(made.pem.decode())


def ours(pki, case: Case, now: dt.datetime | None = None):
    return verify_client(
        _info(getattr(pki, case.peer)),
        [_info(m) for m in _pems(pki, case.intermediates)],
        [_info(m) for m in _pems(pki, case.trusted)],
        now=now,
    )


def openssl_verify(pki, case: Case, folder: Path, *extra: str) -> bool:
    trusted = write(folder, "trusted.pem", *(m.pem for m in _pems(pki, case.trusted)))
    peer = write(folder, "peer.pem", getattr(pki, case.peer).pem)
    args = ["verify", "-purpose", "sslclient", *extra, "-CAfile", str(trusted)]
    if case.intermediates:
        untrusted = write(folder, "untrusted.pem", *(m.pem for m in _pems(pki, case.intermediates)))
        args += ["-untrusted", str(untrusted)]
    return openssl(*args, str(peer)).returncode == 0


def tls_handshake(pki, case: Case, folder: Path) -> bool:
    """Does an OpenSSL TLS server, configured as Redis configures it, accept the client?"""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(
        write(folder, "server.pem", pki.self_signed.pem),
        write(folder, "server.key", pki.self_signed.key_pem),
    )
    server.verify_mode = ssl.CERT_REQUIRED
    server.load_verify_locations(
        cafile=write(folder, "ca.pem", *(m.pem for m in _pems(pki, case.trusted)))
    )
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.check_hostname = False
    client.verify_mode = ssl.CERT_NONE
    client.set_ciphers("DEFAULT:@SECLEVEL=0")  # let the client load weak certificates
    peer = getattr(pki, case.peer)
    chain = [peer.pem, *(m.pem for m in _pems(pki, case.intermediates))]
    client.load_cert_chain(
        write(folder, "client.pem", *chain), write(folder, "client.key", peer.key_pem)
    )
    c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
    c = client.wrap_bio(c_in, c_out, server_side=False)
    s = server.wrap_bio(s_in, s_out, server_side=True)
    c_done = s_done = False
    for _ in range(10):
        if not c_done:
            try:
                c.do_handshake()
                c_done = True
            except ssl.SSLWantReadError:
                pass
        s_in.write(c_out.read())
        if not s_done:
            try:
                s.do_handshake()
                s_done = True
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError:
                return False
        c_in.write(s_out.read())
        if c_done and s_done:
            break
    return s_done and s.getpeercert(binary_form=True) is not None


needs_openssl = pytest.mark.skipif(not OPENSSL, reason="needs the openssl CLI")


@needs_openssl
@pytest.mark.parametrize("name", list(MATRIX))
def test_same_verdict_as_openssl(pki, name, tmp_path):
    case = MATRIX[name]
    verdict = ours(pki, case)
    expected = openssl_verify(pki, case, tmp_path, "-auth_level", "2")
    assert verdict.accepted is expected, verdict.reason
    # No case differs on purpose at security level 2: see the next test for plain verify.
    assert verdict.reason
    if verdict.accepted:
        assert verdict.chain[0] == _info(getattr(pki, case.peer)).sha256
    else:
        assert verdict.chain == []


@pytest.mark.parametrize("name", list(MATRIX))
def test_same_verdict_as_an_openssl_tls_server(pki, name, tmp_path):
    case = MATRIX[name]
    assert ours(pki, case).accepted is tls_handshake(pki, case, tmp_path)


@needs_openssl
@pytest.mark.parametrize("name", ["sha1-signed-leaf", "rsa-1024-leaf"])
def test_differs_on_purpose_from_plain_openssl_verify(pki, name, tmp_path):
    """Without -auth_level, `openssl verify` checks no security level and accepts SHA-1
    signatures and 1024-bit keys. A Redis server never verifies that way: its TLS context
    runs at security level 2, so it (and we) refuse them."""
    case = MATRIX[name]
    assert openssl_verify(pki, case, tmp_path) is True
    assert ours(pki, case).accepted is False


def test_the_matrix_cases_are_what_they_say(pki):
    """The fixtures really are the cases, whatever the verifier says."""
    assert _info(pki.expired).not_after < dt.datetime.now(dt.UTC)
    assert _info(pki.server_only).extended_key_usage == ("serverAuth",)
    assert _info(pki.cn_only).sans == ()
    assert _info(pki.root_without_key_usage).key_usage == ()
    assert _info(pki.self_signed).self_signed
    assert _info(pki.sha1).signature_hash == "sha1"
    assert _info(pki.rsa1024).key_bits == 1024


def test_accepted_chain_and_reason(pki):
    verdict = ours(pki, MATRIX["valid-chain"])
    assert verdict.chain == [_info(p).sha256 for p in (pki.leaf, pki.intermediate, pki.root)]
    assert verdict.reason == "accepted: CN=app1 -> CN=Test Intermediate CA -> CN=Test Root CA"
    assert verdict.warnings == []


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("missing-intermediate", "intermediate CA is missing"),
        ("wrong-ca", "neither trusted nor given"),
        ("expired-leaf", "expired at"),
        ("not-yet-valid-leaf", "not valid before"),
        ("server-auth-only-leaf", "lacks clientAuth"),
        ("sha1-signed-leaf", "SHA1"),
        ("rsa-1024-leaf", "1024-bit RSA key"),
        ("only-the-intermediate-trusted", "trusted self-signed root"),
        ("self-signed-client-not-trusted", "does not trust it"),
        ("chain-to-an-untrusted-root", "does not trust"),
    ],
)
def test_rejections_say_why(pki, name, words):
    verdict = ours(pki, MATRIX[name])
    assert not verdict.accepted
    assert words in verdict.reason
    assert "\n" not in verdict.reason and "<Certificate" not in verdict.reason


@pytest.mark.parametrize(
    ("name", "code"),
    [("cn-only-leaf-without-san", "no-san"), ("ca-without-key-usage", "ca-without-key-usage")],
)
def test_web_pki_strictness_is_a_warning(pki, name, code):
    verdict = ours(pki, MATRIX[name])
    assert verdict.accepted
    assert [(w.severity, w.code) for w in verdict.warnings] == [("warning", code)]


def test_time_is_the_given_time(pki):
    leaf = _info(pki.leaf)
    before = leaf.not_before - dt.timedelta(minutes=1)
    assert not ours(pki, MATRIX["valid-chain"], now=before).accepted
    assert ours(pki, MATRIX["valid-chain"], now=leaf.not_before + dt.timedelta(days=1)).accepted


def test_nothing_trusted(pki):
    verdict = verify_client(_info(pki.leaf), [], [])
    assert not verdict.accepted
    assert "trusts no certificate" in verdict.reason


def test_without_a_usable_libcrypto_nothing_is_accepted(pki, monkeypatch):
    """No OpenSSL, no verdict: refused with the reason, never an emulated acceptance."""
    from state.certificates import verify as verify_module
    from state.certificates.openssl_chain import OpenSSLUnavailable

    def unavailable(*_args, **_kwargs):
        raise OpenSSLUnavailable("OpenSSL's libcrypto was not found")

    monkeypatch.setattr(verify_module, "verify_chain", unavailable)
    verdict = ours(pki, MATRIX["valid-chain"])
    assert not verdict.accepted
    assert verdict.reason == "no verdict: OpenSSL's libcrypto was not found"


def test_the_deciding_library_is_the_one_pythons_ssl_uses(pki):
    verdict = ours(pki, MATRIX["valid-chain"])
    assert verdict.openssl == ssl.OPENSSL_VERSION
