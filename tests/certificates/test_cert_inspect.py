"""`tls-wizard inspect`: the report, its JSON shape, colour and exit codes."""

from __future__ import annotations

import argparse
import io
import json
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from certificate_helpers import FQDN, key_body_chunks, write

from state.certificates import read
from state.certificates.report import render_text, to_json
from state.cli import inspect_cmd

ITEM_KEYS = {
    "kind", "subject", "subject_cn", "issuer", "serial", "not_before", "not_after", "sha256",
    "sans", "is_ca", "self_signed", "key", "signature_hash", "key_usage", "extended_key_usage",
}  # fmt: skip


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="tls-wizard")
    inspect_cmd.register(top.add_subparsers(dest="command"))
    return top


def inspect(capsys, *argv: str, stdin: bytes | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    args = parser().parse_args(["inspect", *argv])
    code = args.handler(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def files(pki, tmp_path: Path):
    class Files:
        leaf = write(tmp_path, "leaf.pem", pki.leaf.pem)
        chain = write(tmp_path, "chain.pem", pki.leaf.pem, pki.intermediate.pem)
        root = write(tmp_path, "root.pem", pki.root.pem)
        other_root = write(tmp_path, "other.pem", pki.other_root.pem)
        expired = write(tmp_path, "expired.pem", pki.expired.pem)
        with_key = write(tmp_path, "with-key.pem", pki.leaf.pem, pki.leaf.key_pem)
        proxy = write(tmp_path, "proxy.pem", pki.proxy.pem, pki.intermediate.pem)
        proxy_key = write(tmp_path, "proxy.key", pki.proxy.key_pem)
        leaf_key = write(tmp_path, "leaf.key", pki.leaf.key_pem)
        cn_only = write(tmp_path, "cn-only.pem", pki.cn_only.pem, pki.intermediate.pem)

    return Files


def test_json_shape(capsys, files, pki):
    code, out, _ = inspect(capsys, str(files.with_key), "--json")
    document = json.loads(out)
    assert set(document) == {"items", "findings"}  # no verdict without --trust
    certificate, key = document["items"]
    assert set(certificate) == ITEM_KEYS
    assert set(key) == ITEM_KEYS
    assert key["kind"] == "private-key" and key["sha256"] is None
    described = read(pki.leaf.pem).certificates[0]
    assert certificate["sha256"] == described.sha256
    assert certificate["not_after"].endswith("Z")
    assert certificate["not_after"].startswith(f"{described.not_after:%Y-%m-%dT%H:%M:%S}")
    assert certificate["sans"] == ["DNS:app1.example.com"]
    assert certificate["key"] == {"type": "RSA", "bits": 2048}
    assert certificate["extended_key_usage"] == ["clientAuth"]
    (finding,) = document["findings"]
    assert set(finding) == {"severity", "code", "message", "item"}
    assert (finding["code"], finding["item"]) == ("private-key", 1)
    assert code == 1


def test_no_key_material_anywhere(capsys, files, pki):
    for extra in ([], ["--json"], ["--trust", str(files.root)]):
        _, out, err = inspect(capsys, str(files.with_key), *extra)
        for chunk in key_body_chunks(pki.leaf.key_pem):
            assert chunk not in out and chunk not in err


def test_verdict_with_trust(capsys, files, pki):
    code, out, _ = inspect(capsys, str(files.chain), "--json", "--trust", str(files.root))
    verdict = json.loads(out)["verdict"]
    assert set(verdict) == {
        "accepted", "chain", "reason", "openssl_error", "error_depth", "decided_by"
    }  # fmt: skip
    assert verdict["accepted"] is True
    assert verdict["openssl_error"] is None
    assert verdict["decided_by"] == ssl.OPENSSL_VERSION  # the libcrypto Python's ssl uses
    assert verdict["chain"] == [
        c.sha256 for c in read(pki.leaf.pem + pki.intermediate.pem + pki.root.pem).certificates
    ]
    assert code == 0


def test_rejected_verdict_exits_1(capsys, files):
    code, out, _ = inspect(capsys, str(files.chain), "--trust", str(files.other_root))
    assert code == 1
    assert "verdict  rejected:" in out


def test_a_refusal_names_openssls_error(capsys, files):
    code, out, _ = inspect(capsys, str(files.chain), "--json", "--trust", str(files.other_root))
    verdict = json.loads(out)["verdict"]
    assert verdict["accepted"] is False
    assert verdict["openssl_error"] == "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
    assert verdict["error_depth"] == 1
    assert "neither trusted nor given" in verdict["reason"]
    assert code == 1


def test_an_expired_certificate_outside_the_chain_does_not_contradict_the_verdict(
    capsys, pki, tmp_path
):
    """The client sends a stale intermediate beside the one it chains through: the server
    accepts, so the report must not also say the server refuses it (nor exit 1)."""
    paste = write(tmp_path, "paste.pem", pki.leaf.pem, pki.intermediate.pem, pki.expired.pem)
    root = write(tmp_path, "root.pem", pki.root.pem)
    code, out, _ = inspect(capsys, str(paste), "--json", "--trust", str(root))
    document = json.loads(out)
    assert document["verdict"]["accepted"] is True
    expired = [f for f in document["findings"] if f["code"] == "expired"]
    assert [(f["severity"], f["item"]) for f in expired] == [("warning", 2)]
    assert expired[0]["message"].startswith("not in the chain the server uses")
    assert code == 0
    code, _, _ = inspect(capsys, str(paste), "--json")  # without a verdict it is an error
    assert code == 1


def test_verdict_warnings_are_findings_about_the_peer(capsys, files):
    code, out, _ = inspect(capsys, str(files.cn_only), "--json", "--trust", str(files.root))
    document = json.loads(out)
    assert document["verdict"]["accepted"] is True
    assert [(f["code"], f["item"]) for f in document["findings"]] == [("no-san", 0)]
    assert code == 0  # a warning is not a failure


def test_check_findings_point_at_items(capsys, files):
    code, out, _ = inspect(capsys, str(files.leaf), "--json", "--as", "proxy", "--fqdn", FQDN)
    findings = {f["code"]: f for f in json.loads(out)["findings"]}
    assert findings["missing-server-auth"]["item"] == 0
    assert findings["san-mismatch"]["item"] == 0
    assert code == 1


def test_proxy_with_matching_and_wrong_key(capsys, files):
    base = [str(files.proxy), "--as", "proxy", "--fqdn", FQDN]
    assert inspect(capsys, *base, "--key", str(files.proxy_key))[0] == 0
    code, out, _ = inspect(capsys, *base, "--key", str(files.leaf_key))
    assert code == 1 and "[key-mismatch]" in out


def test_exit_codes(capsys, files):
    assert inspect(capsys, str(files.leaf))[0] == 0
    assert inspect(capsys, str(files.expired))[0] == 1
    assert inspect(capsys, str(files.leaf), "--as", "client")[0] == 0


def test_usage_errors_are_argparse_exit_2(capsys):
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(["inspect", "--as", "database"])
    assert exited.value.code == 2


def test_reads_stdin(capsys, pki, monkeypatch):
    code, out, _ = inspect(capsys, "-", "--json", stdin=pki.leaf.pem, monkeypatch=monkeypatch)
    assert json.loads(out)["items"][0]["subject_cn"] == "app1"
    code, out, _ = inspect(capsys, stdin=b"", monkeypatch=monkeypatch)
    assert code == 1 and "[empty]" in out


def test_text_report(capsys, files, pki):
    _, out, _ = inspect(capsys, str(files.with_key), "--trust", str(files.root))
    lines = out.splitlines()
    assert lines[0].startswith(" 1  certificate  leaf  CN=app1  issuer CN=Test Intermediate CA")
    assert lines[1] == " 2  private-key  RSA private key (PKCS#8)"
    assert "  sha256          " + read(pki.leaf.pem).certificates[0].sha256 in lines
    assert any(line.startswith("  error    item 2: ") for line in lines)
    assert "\x1b[" not in out  # not a terminal: no colour


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal(files, monkeypatch):
    args = parser().parse_args(["inspect", str(files.expired)])
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.delenv("NO_COLOR", raising=False)
    args.handler(args)
    assert "\x1b[31merror" in terminal.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", plain)
    args.handler(args)
    assert "\x1b[" not in plain.getvalue()


def test_render_text_and_json_directly(pki):
    result = read(pki.leaf.pem + b"garbage")
    text = render_text(result, result.findings, None, color=True)
    assert "\x1b[" in text
    document = to_json(result, result.findings, None)
    assert [item["kind"] for item in document["items"]] == ["certificate"]


def test_through_the_dispatcher(files, capsys):
    from state.cli import main

    assert main(["inspect", str(files.leaf), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["items"][0]["kind"] == "certificate"
    assert main(["inspect", str(files.leaf.parent / "missing.pem")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tls-wizard: ") and "missing.pem: no such file" in err
    assert err.count("\n") == 1


def test_inspect_never_imports_textual(files):
    code = (
        "import sys\n"
        "from state.cli import main\n"
        f"code = main(['inspect', {str(files.leaf)!r}, '--json'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'redis', 'httpx'))\n"
        "assert not heavy, heavy\n"
        "assert code == 0\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_leaf_without_ca_is_about_the_trusted_list(capsys, files):
    """With --trust the input is what the client sends: the finding appears only when the
    trusted list holds the client's own certificate without its CA."""
    _, out, _ = inspect(
        capsys, str(files.leaf), "--json", "--as", "client", "--trust", str(files.root)
    )
    assert "leaf-without-ca" not in [f["code"] for f in json.loads(out)["findings"]]
    code, out, _ = inspect(
        capsys, str(files.leaf), "--json", "--as", "client", "--trust", str(files.leaf)
    )
    document = json.loads(out)
    assert [(f["severity"], f["item"]) for f in document["findings"]] == [("info", 0)]
    assert document["verdict"]["accepted"] is False
    assert "also needs the CA that issued it" in document["verdict"]["reason"]
    assert code == 1
