"""The verdict against OpenSSL's on the chain corpus: every chain, no exception.

The oracle is the command the issue names, run here on each chain:
``openssl verify -purpose sslclient -auth_level 2 -attime T`` with the trusted certificates
as ``-CAfile`` (and no system store) and the client's intermediates as ``-untrusted``.
A live redis-server agrees on a sample of the same corpus (tests/e2e/test_verdict_live.py).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest
from certificate_helpers import OPENSSL, openssl, write
from chain_corpus import FAMILIES, Chain, corpus

from state.certificates import describe_pem, verify_client
from state.cli import inspect_cmd

needs_openssl = pytest.mark.skipif(not OPENSSL, reason="needs the openssl CLI")


def openssl_accepts(chain: Chain, folder: Path) -> bool:
    """``openssl verify`` as a redis-server verifies its client, at the chain's time."""
    trusted = write(folder, "trusted.pem", *(m.pem for m in chain.trusted))
    leaf = write(folder, "leaf.pem", chain.leaf.pem)
    args = ["verify", "-purpose", "sslclient", "-auth_level", "2"]
    args += ["-attime", str(int(chain.at.timestamp())), "-no-CApath", "-no-CAstore"]
    args += ["-CAfile", str(trusted)]
    if chain.untrusted:
        args += [
            "-untrusted",
            str(write(folder, "untrusted.pem", *(m.pem for m in chain.untrusted))),
        ]
    done = openssl(*args, str(leaf))
    return done.returncode == 0 and done.stdout.strip().endswith(b": OK")


def our_verdict(chain: Chain):
    def info(made):
        return describe_pem(made.pem.decode())

    return verify_client(
        info(chain.leaf),
        [info(m) for m in chain.untrusted],
        [info(m) for m in chain.trusted],
        now=chain.at,
    )


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory) -> dict[str, tuple[bool, object]]:
    """Each chain's name -> (OpenSSL's answer, our verdict)."""
    folder = tmp_path_factory.mktemp("corpus")
    return {chain.name: (openssl_accepts(chain, folder), our_verdict(chain)) for chain in corpus()}


def test_the_corpus_is_large_and_covers_every_family():
    chains = corpus()
    assert len(chains) >= 150
    names = {c.name for c in chains}
    for word in (
        "good",
        "expired",
        "not-yet-valid",
        "wrong-ca",
        "eku-server-only",
        "no-eku",
        "cn-only",
        "intermediate",
        "ec-",
        "rsa-1024",
        "sha1",
        "self-signed",
        "leaf-only-trust",
        "nc-permitted-dns-cn-only-outside",
        "critical-akid",
        "critical-skid",
        "critical-aia",
        "root-akid-mismatch",
        "alt-",
        "at-not-after-second",
        "without-basic-constraints",
        "v1-",
        "serial-21",
        "nc-empty",
        "wildcard-san-excluded",
        "dirname",
        "dsa-root",
    ):
        assert any(word in name for name in names), word
    assert len(FAMILIES) >= 8


@needs_openssl
def test_every_verdict_is_openssls(verdicts):
    false_accepts = [n for n, (theirs, ours) in verdicts.items() if ours.accepted and not theirs]
    false_refusals = [n for n, (theirs, ours) in verdicts.items() if theirs and not ours.accepted]
    assert false_accepts == []
    assert false_refusals == []
    accepted = sum(1 for theirs, _ in verdicts.values() if theirs)
    # Both answers occur often, so agreement is not a constant.
    assert 40 <= accepted <= len(verdicts) - 40


@needs_openssl
def test_an_accepted_chain_is_openssls_chain(verdicts):
    for name, (_theirs, ours) in verdicts.items():
        if ours.accepted:
            assert ours.chain, name
            assert ours.error == "" and ours.openssl.startswith("OpenSSL"), name
        else:
            assert ours.chain == [] and ours.error.startswith("X509_V_ERR_"), name


def test_reasons_are_one_plain_line(verdicts):
    for name, (_theirs, ours) in verdicts.items():
        texts = [ours.reason] + [w.message for w in ours.warnings]
        for text in texts:
            assert text and "\n" not in text, name
            assert not re.search(r"[{}]|PhantomData|ParseError|<Certificate|Error\(", text), (
                name,
                text,
            )


@pytest.mark.parametrize(
    ("name", "error", "words"),
    [
        ("nc-permitted-dns-cn-only-outside", "X509_V_ERR_PERMITTED_VIOLATION", "outside"),
        ("nc-permitted-email-email-outside", "X509_V_ERR_PERMITTED_VIOLATION", "outside"),
        ("leaf-critical-akid", "X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION", "authorityKeyIdentifier"),
        ("leaf-critical-aia", "X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION", "authorityInfoAccess"),
        ("rsa-at-not-after-second", "X509_V_ERR_CERT_HAS_EXPIRED", "expired at"),
        ("rsa-leaf-only-trust", "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "add that CA"),
        ("rsa-1024-intermediate", "X509_V_ERR_CA_KEY_TOO_SMALL", "1024-bit RSA key"),
        ("sha1-signed-intermediate", "X509_V_ERR_CA_MD_TOO_WEAK", "SHA1"),
        ("rsa-leaf-eku-server-only", "X509_V_ERR_INVALID_PURPOSE", "lacks clientAuth"),
        ("path-length-exceeded", "X509_V_ERR_PATH_LENGTH_EXCEEDED", "pathLenConstraint"),
        ("intermediate-without-keycertsign", "X509_V_ERR_INVALID_CA", "lacks keyCertSign"),
        ("issuer-with-ca-false", "X509_V_ERR_INVALID_CA", "lacks basicConstraints CA:TRUE"),
    ],
)
def test_refusals_name_the_error_and_the_fix(verdicts, name, error, words):
    _theirs, ours = verdicts[name]
    assert not ours.accepted
    assert ours.error == error, ours.reason
    assert words in ours.reason


CLI_SAMPLE = (
    "rsa-good",
    "rsa-at-not-after-second",
    "rsa-second-before-not-after",
    "rsa-before-not-before",
    "nc-permitted-dns-cn-only-outside",
    "leaf-critical-skid",
    "root-akid-mismatch",
    "v1-root",
    "serial-32-octets-leaf",
    "dsa-root",
    "alt-server-only-then-good",
    "rsa-leaf-only-trust",
)


@needs_openssl
@pytest.mark.parametrize("name", CLI_SAMPLE)
def test_inspect_trust_gives_the_same_verdict_at_the_chains_time(
    name, verdicts, tmp_path, monkeypatch, capsys
):
    """`inspect --trust --as client --json` with TLS_WIZARD_NOW at the chain's time."""
    chain = next(c for c in corpus() if c.name == name)
    sent = write(tmp_path, "client.pem", chain.leaf.pem, *(m.pem for m in chain.untrusted))
    trusted = write(tmp_path, "trusted.pem", *(m.pem for m in chain.trusted))
    monkeypatch.setenv("TLS_WIZARD_NOW", chain.at.isoformat())
    top = argparse.ArgumentParser(prog="tls-wizard")
    inspect_cmd.register(top.add_subparsers(dest="command"))
    args = top.parse_args(
        ["inspect", str(sent), "--trust", str(trusted), "--as", "client", "--json"]
    )
    code = args.handler(args)
    document = json.loads(capsys.readouterr().out)
    theirs, _ours = verdicts[name]
    assert document["verdict"]["accepted"] is theirs
    if not theirs:
        assert code == 1
