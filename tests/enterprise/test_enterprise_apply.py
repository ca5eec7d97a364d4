"""apply enterprise against a local HTTPS API: real sockets, real TLS, the documented errors."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fake_cluster import PASSWORD, USER, FakeCluster, Received

from state.enterprise.client import apply
from state.enterprise.rest import render_curl, rest_export
from state.errors import RefusedError, WizardError
from state.transitions import TlsUpdate, change_tls
from state.workspace import Workspace


def run_apply(demo: Workspace, api: FakeCluster, ca: Path, **kwargs):
    kwargs.setdefault("poll_seconds", 0.01)
    return apply(demo, api.url, USER, kwargs.pop("password", PASSWORD), ca=ca, **kwargs)


def sent(api: FakeCluster) -> list[Received]:
    """The changes the cluster received: PUTs without `?dry_run` (advance checks and action
    polls left out)."""
    return [r for r in api.received if r.method == "PUT" and r.query != "dry_run"]


def test_success_sends_every_request_in_order_with_documented_bodies(demo, api, api_files):
    report = run_apply(demo, api, api_files["ca"])
    assert report.failed is None
    checked = [("PUT", "/v1/cluster", "dry_run")] + [
        ("PUT", f"/v1/bdbs/{uid}", "dry_run") for uid in (1, 2, 3, 4)
    ]
    assert [(r.method, r.path, r.query) for r in api.received][:9] == [
        *checked,
        ("PUT", "/v1/cluster/update_cert", ""),
        ("PUT", "/v1/cluster/update_cert", ""),
        ("PUT", "/v1/cluster", ""),
        ("PUT", "/v1/bdbs/1", ""),
    ]
    assert [(r.path, r.query) for r in sent(api)][3:] == [
        ("/v1/bdbs/1", ""),
        ("/v1/bdbs/2", ""),
        ("/v1/bdbs/3", ""),
        ("/v1/bdbs/4", ""),
    ]
    assert api.violations == []
    proxy = sent(api)[0].body
    assert proxy["name"] == "proxy" and proxy["key"] == demo.read_key("proxy").decode()
    assert sent(api)[3].body["tls_mode"] == "enabled"
    assert sent(api)[5].body["authentication_ssl_crdt_certs"]
    assert [o.status for o in report.outcomes] == ["ok"] * 7
    assert report.summary().startswith("applied: cluster proxy certificate, ")


def test_certificates_endpoint(demo, api, api_files):
    report = run_apply(demo, api, api_files["ca"], bulk_certificates=True)
    assert report.failed is None
    assert [r.path for r in sent(api)][:2] == ["/v1/cluster/certificates", "/v1/cluster"]
    assert api.violations == []
    entries = sent(api)[0].body["certificates"]
    assert [c["key"] for c in entries] == [
        demo.read_key("proxy").decode(),
        demo.read_key("syncer").decode(),
    ]
    api.fail("/v1/cluster/certificates", 406)
    report = run_apply(demo, api, api_files["ca"], bulk_certificates=True)
    assert report.failed.message == "the cluster refused the certificate as expired (406)"


def test_one_database(demo, api, api_files):
    report = run_apply(demo, api, api_files["ca"], database_name="sessions")
    assert [r.path for r in sent(api)] == ["/v1/bdbs/2"]
    assert sent(api)[0].body["tls_mode"] == "replica_ssl"
    assert report.failed is None


def test_dry_run_uses_the_api_dry_run_and_skips_what_has_none(demo, api, api_files):
    report = run_apply(demo, api, api_files["ca"], dry_run=True)
    assert [(r.path, r.query) for r in api.received] == [("/v1/cluster", "dry_run")] + [
        (f"/v1/bdbs/{uid}", "dry_run") for uid in (1, 2, 3, 4)
    ]
    assert [o.status for o in report.outcomes] == ["skipped"] * 2 + ["validated"] * 5
    assert report.summary().startswith("validated: cluster minimum data TLS version, database")


@pytest.mark.parametrize(
    ("error_code", "expected"),
    [
        ("invalid_certificate", "a certificate is missing or malformed (invalid_certificate)"),
        ("certificate_expired", "a certificate has expired (certificate_expired)"),
        ("duplicated_certs", "a certificate appears more than once (duplicated_certs)"),
    ],
)
def test_documented_certificate_errors_stop_and_say_what_was_applied(
    demo, api, api_files, error_code, expected
):
    api.fail("/v1/bdbs/2", 400, error_code, "from the cluster")
    early = run_apply(demo, api, api_files["ca"])
    assert early.failed.request.path == "/v1/bdbs/2" and sent(api) == []
    assert early.failed.message.startswith("refused by the cluster's advance check (dry run)")
    assert expected in early.failed.message
    assert early.summary().splitlines()[0] == "applied: nothing"
    api.received.clear()
    api.fail("/v1/bdbs/2", 400, error_code, "from the cluster", on_dry_run=False)
    report = run_apply(demo, api, api_files["ca"])
    failed = report.failed
    assert failed is not None and failed.request.path == "/v1/bdbs/2"
    assert failed.message.startswith(expected)
    assert [r.path for r in sent(api)][-1] == "/v1/bdbs/2"
    assert [r.title for r in report.not_sent] == [
        "database inventory (uid 3) TLS settings",
        "database cache (uid 4) TLS settings",
    ]
    summary = report.summary()
    assert "applied: cluster proxy certificate, cluster syncer certificate, " in summary
    assert "database orders (uid 1) TLS settings" in summary.splitlines()[0]
    assert "not sent: database inventory (uid 3) TLS settings, database cache" in summary


def test_406_invalid_configuration(demo, api, api_files):
    api.fail("/v1/bdbs/1", 406, message="bad combination")
    report = run_apply(demo, api, api_files["ca"])
    assert report.failed.message.endswith(
        "the cluster says the configuration is invalid (406): bad combination"
    )
    assert sent(api) == []
    assert report.failed.http_status == 406


def test_update_cert_406_means_expired(demo, api, api_files):
    api.fail("/v1/cluster/update_cert", 406)
    report = run_apply(demo, api, api_files["ca"])
    assert report.failed.message == "the cluster refused the certificate as expired (406)"
    assert len(sent(api)) == 1
    assert report.summary().splitlines()[0] == "applied: nothing"


def test_401_wrong_password(demo, api, api_files):
    report = run_apply(demo, api, api_files["ca"], password="wrong")
    assert report.failed.http_status == 401
    assert report.failed.message.endswith(
        "the cluster refused the user or password (401); check --user and the password"
    )
    assert len(api.received) == 1
    assert len(report.not_sent) == 6


def test_unknown_database_uid_404(demo, api, api_files):
    api.uids.discard(4)
    report = run_apply(demo, api, api_files["ca"])
    assert report.failed.request.path == "/v1/bdbs/4"
    assert "(404)" in report.failed.message


def test_untrusted_certificate_is_never_accepted_silently(demo, api):
    report = apply(demo, api.url, USER, PASSWORD)
    assert report.failed is not None
    assert "the cluster's certificate is not trusted" in report.failed.message
    assert "pass --ca FILE" in report.failed.message
    assert api.received == []


def test_http_url_is_refused(demo):
    with pytest.raises(WizardError, match="give https://HOST:9443"):
        apply(demo, "http://127.0.0.1:9443", USER, PASSWORD)


def test_missing_ca_file(demo, api):
    with pytest.raises(WizardError, match=r"--ca nope\.pem: no such file"):
        apply(demo, api.url, USER, PASSWORD, ca="nope.pem")


def test_rule_errors_refuse_before_anything_is_sent(demo, api, api_files):
    broken = change_tls(
        demo.state,
        "orders",
        TlsUpdate(remove_certificates=demo.state.database("orders").tls.certificates),
    )
    demo.state = broken
    with pytest.raises(RefusedError, match="client-auth-without-certs"):
        run_apply(demo, api, api_files["ca"])
    assert api.received == []


def test_cli_success_and_failure_exit_codes(cli, demo_path, api, api_files, monkeypatch):
    monkeypatch.setenv("TLS_WIZARD_PASSWORD", PASSWORD)
    args = ["--state", str(demo_path), "apply", "enterprise", "--url", api.url, "--user", USER]
    ok = cli(*args, "--ca", str(api_files["ca"]), "orders")
    assert ok.code == 0, ok.err
    assert "ok 200  PUT /v1/bdbs/1" in ok.out
    api.fail("/v1/bdbs/1", 400, "certificate_expired")
    failed = cli(*args, "--ca", str(api_files["ca"]), "orders")
    assert failed.code == 1
    assert "failed 400  PUT /v1/bdbs/1" in failed.out
    assert "certificate_expired" in failed.out


def test_cli_without_password_in_a_pipe(cli, demo_path, api, monkeypatch):
    monkeypatch.delenv("TLS_WIZARD_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    result = cli("--state", str(demo_path), "apply", "enterprise", "--url", api.url, "--user", USER)
    assert result.code == 1
    assert "no password: set TLS_WIZARD_PASSWORD" in result.err


def test_the_password_never_appears_in_output_files_or_errors(
    cli, demo_path, api, api_files, monkeypatch, tmp_path
):
    """Every path that could leak it: success, each failure, the exports, the files written."""
    monkeypatch.setenv("TLS_WIZARD_PASSWORD", PASSWORD)
    encoded = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    base = ["--state", str(demo_path)]
    apply_args = [*base, "apply", "enterprise", "--url", api.url, "--user", USER]
    outputs = [
        cli(*apply_args, "--ca", str(api_files["ca"])),
        cli(*apply_args, "--ca", str(api_files["ca"]), "--dry-run"),
        cli(*apply_args),  # untrusted certificate
        cli(*base, "export", "rest"),
        cli(*base, "export", "rest", "--json"),
        cli(*base, "export", "rladmin", "--out", str(tmp_path / "out")),
    ]
    api.fail("/v1/bdbs/1", 406, "invalid_certificate", "bad")
    outputs.append(cli(*apply_args, "--ca", str(api_files["ca"])))
    monkeypatch.setenv("TLS_WIZARD_PASSWORD", "wrong-" + PASSWORD)
    outputs.append(cli(*apply_args, "--ca", str(api_files["ca"])))
    for result in outputs:
        for secret in (PASSWORD, encoded):
            assert secret not in result.out and secret not in result.err
    for path in [*demo_path.parent.rglob("*"), *tmp_path.rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data and encoded.encode() not in data, path
    monkeypatch.setenv("TLS_WIZARD_PASSWORD", PASSWORD)
    for kwargs in ({"ca": None}, {"ca": "nope.pem"}):
        try:
            report = apply(Workspace.open(demo_path), api.url, USER, PASSWORD, **kwargs)
            messages = [o.message for o in report.outcomes]
        except WizardError as error:
            messages = [str(error), repr(error)]
        assert all(PASSWORD not in m and encoded not in m for m in messages)


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
@pytest.mark.parametrize("bulk", [False, True], ids=["update_cert", "certificates"])
def test_the_curl_rendering_runs_against_the_api(demo, api, api_files, tmp_path, bulk):
    """The exported script, run by bash, sends the same documented requests as apply."""
    script = tmp_path / "apply.sh"
    script.write_text(render_curl(rest_export(demo.state, bulk_certificates=bulk)))
    env = {
        **os.environ,
        "TLS_WIZARD_URL": api.url,
        "TLS_WIZARD_USER": USER,
        "TLS_WIZARD_PASSWORD": PASSWORD,
        "TLS_WIZARD_CA": str(api_files["ca"]),
    }
    done = subprocess.run(
        ["bash", str(script)], cwd=demo.folder, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert api.violations == []
    certificates = ["/v1/cluster/certificates"] if bulk else ["/v1/cluster/update_cert"] * 2
    bdbs = ["/v1/bdbs/1", "/v1/bdbs/2", "/v1/bdbs/3", "/v1/bdbs/4"]
    assert [r.path for r in sent(api)] == [*certificates, "/v1/cluster", *bdbs]
    first = sent(api)[0].body
    entry = first["certificates"][0] if bulk else first
    assert entry["key"] == demo.read_key("proxy").decode()
    orders = sent(api)[len(certificates) + 1].body
    assert orders == rest_export(demo.state, "orders").requests[0].body
