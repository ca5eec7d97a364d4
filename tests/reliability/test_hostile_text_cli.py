"""Hostile certificates through every CLI command that prints: escape sequences, forged
lines, bidi overrides and markup in CN, O, OU and SANs stay inert text.

Each certificate of the corpus (every payload family in every field) is inspected as text
and as JSON; families of them are trusted by a database and then every command that shows
a database, the cluster, the history or an export runs on that state. Every output must
hold 0 raw control characters (the tool's own newline and tab aside), no line forged by a
payload, and no traceback.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hostile import payloads, raw_controls, sample
from hostile_certs import FIELDS, HostileCertificate, _key, hostile_certificate
from reliability_helpers import Run, cli, in_process

DEMO = Path(__file__).parents[1] / "fixtures" / "demo"
ALL = payloads()
QUICK_IDS = {p.id for p in sample(ALL, 11)}
FORGED = ("\nerror: forged line", "\rOK")


def certificates_param() -> list:
    return [
        pytest.param(
            p, field, id=f"{field}-{p.id}", marks=() if p.id in QUICK_IDS else pytest.mark.slow
        )
        for p in ALL
        for field in FIELDS
    ]


def assert_inert(run: Run, what: str) -> None:
    output = run.out + run.err
    assert "Traceback" not in output, f"{what}: {run.err}"
    assert raw_controls(output) == [], f"{what}: {output!r}"
    for forged in FORGED:
        assert forged not in output, f"{what}: a payload forged a line: {output!r}"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile-text")


def _write(folder: Path, certificate: HostileCertificate) -> Path:
    path = folder / f"{abs(hash(certificate.id))}.pem"
    path.write_bytes(certificate.pem)
    return path


@pytest.mark.parametrize(("payload", "field"), certificates_param())
def test_inspect_shows_every_field_inert(payload, field, folder: Path):
    certificate = hostile_certificate(payload, field)
    path = _write(folder, certificate)
    text = in_process("inspect", str(path))
    assert text.code in (0, 1)
    assert_inert(text, "inspect")
    document = in_process("inspect", "--json", str(path))
    assert_inert(document, "inspect --json")
    parsed = json.loads(document.out)
    assert parsed["items"][0]["kind"] == "certificate"
    trusted = in_process("inspect", "--trust", str(path), str(path))
    assert_inert(trusted, "inspect --trust")


def test_json_keeps_the_exact_value(folder: Path):
    """JSON is for machines: the value comes back exactly, escaped only by JSON itself."""
    for payload in sample(ALL, 5):
        certificate = hostile_certificate(payload, "cn")
        run = in_process("inspect", "--json", str(_write(folder, certificate)))
        assert json.loads(run.out)["items"][0]["subject_cn"] == payload.text[:60]


FAMILIES = sorted({p.id.split("-")[0] for p in ALL})
PRINTERS = [
    ["db", "show", "orders"],
    ["db", "show", "orders", "--json"],
    ["db", "list"],
    ["check"],
    ["check", "--json"],
    ["history"],
    ["cluster", "show"],
    ["cluster", "participant", "list"],
    ["export", "rest"],
    ["export", "rest", "orders", "--json"],
    ["export", "rladmin"],
    ["import", "rest", "--plan", "--bdbs", "BDBS"],
]


def _family_state(tmp_path: Path, family: str, every: int) -> tuple[Path, list]:
    folder = tmp_path / "state"
    shutil.copytree(DEMO, folder)
    chosen = [p for p in ALL if p.id.split("-")[0] == family][::every]
    certificates = [hostile_certificate(p, f) for p in chosen for f in FIELDS]
    return folder / "tls-wizard.toml", certificates


@pytest.mark.parametrize(
    "every",
    [pytest.param(7, id="quick"), pytest.param(1, id="slow", marks=pytest.mark.slow)],
)
@pytest.mark.parametrize("family", FAMILIES)
def test_a_state_trusting_hostile_certificates_prints_inert(family, every, tmp_path: Path):
    state, certificates = _family_state(tmp_path, family, every)
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(b"".join(c.pem for c in certificates))
    added = in_process("--state", str(state), "db", "tls", "orders", "--add-cert", str(bundle))
    assert_inert(added, "db tls --add-cert")
    assert added.code == 0, added.err
    key = tmp_path / "hostile.key"
    from cryptography.hazmat.primitives import serialization

    key.write_bytes(
        _key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    for number, certificate in enumerate(certificates[:: max(1, len(certificates) // 8)]):
        path = tmp_path / f"syncer{number}.pem"
        path.write_bytes(certificate.pem)
        for command in (
            ["cluster", "participant", "add", f"peer{number}.example.com", "--syncer-cert", path],
            ["cluster", "certificate", "set", "proxy", "certificate_file", path, "key_file", key],
        ):
            run = in_process("--state", str(state), *map(str, command))
            assert_inert(run, " ".join(command[:3]))
    bdbs = tmp_path / "bdbs.json"
    shown = json.loads(in_process("--state", str(state), "db", "show", "orders", "--json").out)
    bdbs.write_text(
        json.dumps([{"uid": 1, "name": "orders", "port": 12000, "tls_mode": "enabled"}])
    )
    assert shown["name"] == "orders"
    for command in PRINTERS:
        command = [str(bdbs) if part == "BDBS" else part for part in command]
        run = in_process("--state", str(state), *command)
        assert run.code in (0, 1), f"{command}: {run.err}"
        assert_inert(run, " ".join(command))


def test_a_real_process_prints_inert(tmp_path: Path):
    """The same through a separate process, as a terminal would receive it."""
    state, certificates = _family_state(tmp_path, "osc", 1)
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(b"".join(c.pem for c in certificates))
    assert cli("--state", str(state), "db", "tls", "orders", "--add-cert", str(bundle)).code == 0
    for command in (["db", "show", "orders"], ["check"], ["inspect", str(bundle)]):
        run = cli("--state", str(state), *command)
        assert_inert(run, " ".join(command))
        if command[0] != "check":
            assert "\\x1b]" in run.out  # shown, escaped
