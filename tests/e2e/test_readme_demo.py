"""The README's demo examples, run as written: `tls-wizard demo demo && cd demo`, then the
apply and verify commands with the relative `samples/` paths, against a real redis-server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ports import _bindable, holding_port

DEMO_PORT = 12000
"""The port the README's examples name: the demo's `orders` database."""


def tls_wizard(cwd: Path, *args: str, **env_vars: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), **env_vars}
    env.pop("TLS_WIZARD_STATE", None)
    return subprocess.run(
        [sys.executable, "-m", "state.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_readme_demo_examples_work_as_written(redis_servers, tmp_path: Path) -> None:
    with holding_port(DEMO_PORT):
        if not _bindable(DEMO_PORT):
            pytest.skip(f"port {DEMO_PORT} is taken by something outside the tests")
        server = redis_servers()
        made = tls_wizard(tmp_path, "demo", "demo")
        assert made.returncode == 0, made.stderr
        demo = tmp_path / "demo"
        assert (demo / "tls-wizard.toml").is_file()
        url = f"redis://127.0.0.1:{server.port}"

        dry = tls_wizard(demo, "apply", "redis", "orders", "--url", url, "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert "nothing was written or applied" in dry.stdout
        assert f"tls-port              0                             {DEMO_PORT}" in dry.stdout

        client = ("--client-cert", "samples/app1.pem", "--client-key", "samples/app1.key")
        applied = tls_wizard(demo, "apply", "redis", "orders", "--url", url, *client)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert f"reach the server at rediss://127.0.0.1:{DEMO_PORT}" in applied.stdout

        verified = tls_wizard(
            demo,
            "verify",
            "orders",
            "--host",
            "127.0.0.1",
            "--port",
            str(DEMO_PORT),
            "--server-name",
            f"redis-{DEMO_PORT}.cluster1.example.com",
            *client,
            "--client-cert",
            "samples/app2.pem",
            "--client-key",
            "samples/app2.key",
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "8 of 8 checks passed" in verified.stdout
        server.stop()  # it listens on the demo's port now: free it before the lock goes


def test_demo_refuses_a_folder_that_holds_files(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me\n")
    refused = tls_wizard(tmp_path.parent, "demo", tmp_path.name)
    assert refused.returncode == 1
    assert "not an empty folder" in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]


def test_a_demo_command_removes_its_throwaway_folder(tmp_path: Path) -> None:
    env_tmp = tmp_path / "tmp"
    env_tmp.mkdir()
    listed = tls_wizard(tmp_path, "--demo", "db", "list", TMPDIR=str(env_tmp))
    assert listed.returncode == 0, listed.stderr
    assert "orders" in listed.stdout
    assert "demo state: " in listed.stderr and str(env_tmp) in listed.stderr
    assert list(env_tmp.glob("tls-wizard-demo-*")) == []
