"""Fixtures for the Redis Enterprise tests: the demo state, a test CA, a local HTTPS API."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_cluster import PASSWORD, USER, FakeCluster, ServedCluster

from state.certificates.issue import (
    KeyAndCertificate,
    SubjectFields,
    certificate_authority,
    issue_certificate,
)
from state.cli import main
from state.demo import build_demo
from state.workspace import Workspace


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo state built once (key generation is slow); tests work on copies."""
    return build_demo(tmp_path_factory.mktemp("demo-template")).parent


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "state"
    shutil.copytree(demo_template, folder)
    return folder / "tls-wizard.toml"


@pytest.fixture
def demo(demo_path: Path) -> Workspace:
    return Workspace.open(demo_path)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run `tls-wizard ARGS` in this process; returns code, stdout, stderr."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exit:
            code = int(exit.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def api_ca() -> KeyAndCertificate:
    return certificate_authority("Test Cluster API CA")


@pytest.fixture(scope="session")
def api_files(api_ca: KeyAndCertificate, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The local API's certificate (for 127.0.0.1, signed by the test CA) and the CA file."""
    folder = tmp_path_factory.mktemp("api")
    leaf = issue_certificate(
        api_ca, SubjectFields(cn="127.0.0.1"), sans=["127.0.0.1", "localhost"], eku=("serverAuth",)
    )
    files = {"cert": folder / "api.pem", "key": folder / "api.key", "ca": folder / "ca.pem"}
    files["cert"].write_bytes(leaf.pem)
    files["key"].write_bytes(leaf.key_pem)
    files["ca"].write_bytes(api_ca.pem)
    return files


@pytest.fixture
def api(api_files: dict, demo: Workspace) -> Iterator[FakeCluster]:
    """A running local API that knows the demo's databases and accepts USER/PASSWORD."""
    cluster = FakeCluster(USER, PASSWORD, uids={d.uid for d in demo.state.databases})
    with ServedCluster(cluster, api_files["cert"], api_files["key"]) as served:
        yield served


@pytest.fixture
def client_pem(demo_path: Path):
    """The demo's second sample client certificate (app2), not yet in any database."""
    from state.certificates import read_certificate_file

    return read_certificate_file(demo_path.parent / "samples" / "app2.pem")[0]
