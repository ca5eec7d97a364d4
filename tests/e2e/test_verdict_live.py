"""The verdict against a live redis-server: the chain corpus, handshake by handshake.

One redis-server with TLS and ``tls-auth-clients yes``; for each chain its trusted
certificates become ``tls-ca-cert-file`` (CONFIG SET reloads the TLS context) and a client
presents the chain's certificate, intermediates and key. The server's answer (PONG or a
refused handshake) must be the inspector's verdict, at the server's own clock. Chains
whose verdict depends on an exact ``-attime`` are left to the openssl oracle
(tests/certificates/test_chain_corpus.py).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
import redis
from e2e_helpers import answers, free_port

sys.path.insert(0, str(Path(__file__).parents[1] / "certificates"))
from chain_corpus import NOW, Chain, corpus, make, rsa_key

from state.certificates import check, describe_pem, verify_client

pytestmark = pytest.mark.e2e


def _info(made):
    return describe_pem(made.pem.decode())


def _live_sample() -> list[Chain]:
    """Every corpus chain judged at its time of day (not at an exact validity second)."""
    return [chain for chain in corpus() if chain.at == NOW]


def _start(redis_servers, folder: Path) -> tuple[redis.Redis, int]:
    """A redis-server requiring client certificates; its admin connection and TLS port."""
    server_cert = make("redis.test", rsa_key(2048, 99), ca=None)
    (folder / "server.crt").write_bytes(server_cert.pem)
    (folder / "server.key").write_bytes(server_cert.key_pem)
    tls_port = free_port()
    server = redis_servers(
        f"tls-port {tls_port}",
        f"tls-cert-file {folder / 'server.crt'}",
        f"tls-key-file {folder / 'server.key'}",
        f"tls-ca-cert-file {folder / 'server.crt'}",
        "tls-auth-clients yes",
    )
    return redis.Redis(port=server.port, socket_timeout=5), tls_port


def _handshake(
    admin: redis.Redis, chain: Chain, folder: Path, port: int, version: str | None = None
) -> str:
    """The server's answer to this chain's client, with the chain's trusted list loaded."""
    trusted = folder / f"{chain.name}-trusted.pem"
    trusted.write_bytes(b"".join(m.pem for m in chain.trusted))
    admin.config_set("tls-ca-cert-file", str(trusted))
    bundle = folder / f"{chain.name}-client.pem"
    bundle.write_bytes(b"".join(m.pem for m in [chain.leaf, *chain.untrusted]))
    key = folder / f"{chain.name}-client.key"
    key.write_bytes(chain.leaf.key_pem)
    return answers(port, version=version, cert=(bundle, key))


def test_a_live_redis_server_agrees_with_every_verdict(redis_servers, tmp_path):
    admin, tls_port = _start(redis_servers, tmp_path)
    sample = _live_sample()
    assert len(sample) >= 150
    disagreements, accepted = [], 0
    for chain in sample:
        now = dt.datetime.now(dt.UTC)
        verdict = verify_client(
            _info(chain.leaf),
            [_info(m) for m in chain.untrusted],
            [_info(m) for m in chain.trusted],
            now=now,
        )
        leaf = _info(chain.leaf)
        # The chain verdict plus the findings about keys no handshake can use.
        unusable = {f.code for f in check([leaf], "client")} & {"curve-without-tls-signatures"}
        expected = verdict.accepted and not unusable
        dsa = leaf.key_type == "DSA"
        seen = _handshake(admin, chain, tmp_path, tls_port, "1.2" if dsa else None)
        accepted += seen == "PONG"
        if (seen == "PONG") != expected:
            disagreements.append((chain.name, seen, verdict.reason))
    admin.close()
    assert disagreements == []
    assert 40 <= accepted <= len(sample) - 40


def test_a_dsa_client_is_refused_on_tls13_and_the_finding_says_so(redis_servers, tmp_path):
    chain = next(c for c in corpus() if c.name == "dsa-leaf")
    admin, tls_port = _start(redis_servers, tmp_path)
    with admin:
        assert _handshake(admin, chain, tmp_path, tls_port, "1.2") == "PONG"
        assert _handshake(admin, chain, tmp_path, tls_port, "1.3").startswith("refused")
    codes = {f.code for f in check([_info(chain.leaf)], "client")}
    assert "dsa-tls12-only" in codes


def test_a_p224_client_verifies_but_no_handshake_takes_it(redis_servers, tmp_path):
    chain = next(c for c in corpus() if c.name == "ec-secp224r1-leaf")
    leaf = _info(chain.leaf)
    verdict = verify_client(
        leaf, [_info(m) for m in chain.untrusted], [_info(m) for m in chain.trusted]
    )
    assert verdict.accepted  # as `openssl verify` says
    admin, tls_port = _start(redis_servers, tmp_path)
    with admin:
        for version in ("1.2", "1.3"):
            assert _handshake(admin, chain, tmp_path, tls_port, version).startswith("refused")
    findings = [f for f in check([leaf], "client") if f.code == "curve-without-tls-signatures"]
    assert [f.severity for f in findings] == ["error"]
