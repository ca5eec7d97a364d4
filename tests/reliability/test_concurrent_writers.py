"""Concurrent writers: two processes update different databases through the CLI at once.

The store refuses a save whose base revision is stale, so the CLI's read-modify-save
either lands whole or is refused with "changed on disk since you opened it". Each writer
here retries a refused update (as a script would), counting both outcomes. At the end no
accepted update may be missing, no refused one may have left a trace, and the revisions
must be exactly one per accepted update.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from reliability_helpers import Run, cli, sizes

from state import store
from state.certificates import describe_pem
from state.certificates.issue import SubjectFields, certificate_authority, issue_certificate

STALE = "changed on disk since you opened it"
MAX_TRIES = 100


@dataclass
class Writer:
    database: str
    files: list[Path]
    accepted: list[str] = field(default_factory=list)
    revisions: list[int] = field(default_factory=list)
    refused: int = 0
    unexpected: list[Run] = field(default_factory=list)

    def run(self, state: Path) -> None:
        for file in self.files:
            for _ in range(MAX_TRIES):
                done = cli(
                    "--state", str(state), "db", "tls", self.database, "--add-cert", str(file)
                )
                if done.code == 0:
                    match = re.search(r"revision (\d+)", done.out)
                    assert match, done.out
                    self.revisions.append(int(match[1]))
                    self.accepted.append(describe_pem(file.read_text()).sha256)
                    break
                if done.code == 1 and STALE in done.err and done.err.count("\n") == 1:
                    self.refused += 1
                    continue
                self.unexpected.append(done)
                break


def _client_files(folder: Path, ca, prefix: str, count: int) -> list[Path]:
    folder.mkdir()
    files = []
    for i in range(count):
        issued = issue_certificate(
            ca,
            SubjectFields(cn=f"{prefix}{i}.example.com"),
            sans=[f"{prefix}{i}.example.com"],
            key_type="ec",
            bits=256,
        )
        path = folder / f"{prefix}{i}.pem"
        path.write_bytes(issued.pem)
        files.append(path)
    return files


@pytest.mark.parametrize("updates", sizes(20, 200))
def test_two_cli_writers_lose_nothing(tmp_path: Path, updates: int, reliability_report):
    state = tmp_path / "tls-wizard.toml"
    ca = certificate_authority("Writers CA")
    (tmp_path / "ca.pem").write_bytes(ca.pem)
    assert cli("--state", str(state), "init", "--name", "cluster1.example.com").code == 0
    for name, port in (("alpha", 12000), ("beta", 12001)):
        created = cli(
            "--state", str(state), "db", "create", name, "--port", str(port),
            "--enable", "--mode", "all", "--add-cert", str(tmp_path / "ca.pem"),
        )  # fmt: skip
        assert created.code == 0, created.err
    start = store.load(state).revision
    writers = [
        Writer("alpha", _client_files(tmp_path / "a", ca, "a", updates)),
        Writer("beta", _client_files(tmp_path / "b", ca, "b", updates)),
    ]
    threads = [threading.Thread(target=w.run, args=(state,)) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for writer in writers:
        assert not writer.unexpected, [(r.code, r.err) for r in writer.unexpected]
        assert len(writer.accepted) == updates
    final = store.load(state)
    ca_sha = describe_pem(ca.pem.decode()).sha256
    for writer in writers:
        database = final.database(writer.database)
        assert database is not None
        # Exactly the accepted certificates, in the order they were accepted: none lost,
        # none from a refused attempt, none duplicated.
        assert database.tls.certificates == [ca_sha, *writer.accepted]
    revisions = sorted(writers[0].revisions + writers[1].revisions)
    assert revisions == list(range(start + 1, start + 2 * updates + 1)), "a revision was reused"
    assert final.revision == start + 2 * updates
    refused = sum(w.refused for w in writers)
    reliability_report(
        f"2 writers x {updates} CLI updates: {2 * updates} accepted and all present, "
        f"{refused} saves refused as stale (reported, exit 1, retried), 0 lost"
    )
