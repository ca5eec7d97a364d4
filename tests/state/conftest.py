"""Fixtures for the core's tests: a fresh state on disk and certificates to add to it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from state.certificates.issue import (
    KeyAndCertificate,
    SubjectFields,
    certificate_authority,
    issue_certificate,
    self_signed_cluster_certificate,
)
from state.cli import main
from state.workspace import init_state


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys, state_path):
    """Run `tls-wizard --state <state_path> ARGS` in this process; returns code, stdout, stderr."""

    def run(*args: str, state: Path | None = None) -> CliResult:
        capsys.readouterr()
        try:
            code = main(["--state", str(state or state_path), *args])
        except SystemExit as exit:
            code = int(exit.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "tls-wizard.toml"


@pytest.fixture
def initialized(state_path: Path) -> Path:
    init_state(state_path, "cluster1.example.com")
    return state_path


@pytest.fixture(scope="session")
def client_ca() -> KeyAndCertificate:
    return certificate_authority("Test Client CA")


@pytest.fixture(scope="session")
def client_certs(client_ca) -> list[KeyAndCertificate]:
    return [
        issue_certificate(
            client_ca, SubjectFields(cn=f"app{i}.example.com"), sans=[f"app{i}.example.com"]
        )
        for i in (1, 2)
    ]


@pytest.fixture(scope="session")
def syncer_certs() -> dict[str, KeyAndCertificate]:
    return {
        name: self_signed_cluster_certificate(name)
        for name in ("cluster2.example.com", "cluster3.example.com")
    }


@pytest.fixture
def pem_file(tmp_path: Path):
    """Write PEM bytes to a file and return its path."""
    counter = iter(range(1000))

    def write(*pems: bytes, name: str | None = None) -> Path:
        path = tmp_path / (name or f"cert{next(counter)}.pem")
        path.write_bytes(b"".join(pems))
        return path

    return write


def run_subprocess(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "state.cli", *args], capture_output=True, text=True, check=False
    )
