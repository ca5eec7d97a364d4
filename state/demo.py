"""The demo state: a cluster with one database of each kind, for `make run` and the tests.

`orders` trusts the demo CA alone and lets only app1.example.com in by SAN validation:
the product runs subject checks only when the trusted list holds no leaf, so the demo
shows checks that really happen (samples/app2.pem is signed by the same CA and refused).
The Replica Of source role (trusting cluster3's syncer certificate, a leaf) is on
`sessions`, which has no subject validation.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .certificates import describe_pem
from .certificates.issue import (
    KeyAndCertificate,
    SubjectFields,
    certificate_authority,
    issue_certificate,
    self_signed_cluster_certificate,
)
from .model import Participant
from .transitions import SourceUpdate, TlsUpdate, add_participant_syncer, create_database
from .vocabulary import DatabaseType, SubjectValidation, TlsMode
from .workspace import init_state

DEMO_CLUSTER = "cluster1.example.com"
THROWAWAY_PREFIX = "tls-wizard-demo-"
OWNER_FILE = ".tls-wizard-demo-owner"
"""In a throwaway demo folder: the id of the process that made it. Only folders holding it
are ever removed, so a path given by mistake can never be deleted."""
PARTICIPANTS = ("cluster2.example.com", "cluster3.example.com")


def _info(issued: KeyAndCertificate):
    return describe_pem(issued.pem.decode())


def throwaway_folder() -> Path:
    """A new temporary folder owned by this process, for a demo removed when it ends."""
    folder = Path(tempfile.mkdtemp(prefix=THROWAWAY_PREFIX))
    (folder / OWNER_FILE).write_text(f"{os.getpid()}\n")
    return folder


def discard_throwaway(state_path: str | Path) -> bool:
    """Remove the throwaway demo folder that holds `state_path`; False (nothing removed)
    when that folder is not one `throwaway_folder` made in this process."""
    folder = Path(state_path).parent
    if _owner(folder) != os.getpid():
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return True


def discard_stale_throwaways(root: str | Path | None = None) -> list[Path]:
    """Remove the throwaway demo folders whose process is gone (a killed `--demo` run)."""
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(f"{THROWAWAY_PREFIX}*"):
        owner = _owner(folder)
        if owner is not None and owner != os.getpid() and not _running(owner):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _owner(folder: Path) -> int | None:
    try:
        return int((folder / OWNER_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: alive
    return True


def build_demo(folder: str | Path | None = None) -> Path:
    """Write a demo state (and its keys and sample client certificates) into `folder`, or
    into a new throwaway folder (see `throwaway_folder`) when none is given."""
    folder = Path(folder) if folder else throwaway_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tls-wizard.toml"
    workspace = init_state(path, DEMO_CLUSTER)
    state = workspace.state.copy()

    for name in PARTICIPANTS:
        syncer = _info(self_signed_cluster_certificate(name))
        state.certificates[syncer.sha256] = syncer.pem
        state.participants.append(Participant(name, syncer.sha256))
    # What an administrator copies from cluster2's general settings to replicate from it.
    source_proxy = _info(self_signed_cluster_certificate(PARTICIPANTS[0]))

    ca = certificate_authority("Demo Client CA")
    app1 = issue_certificate(
        ca, SubjectFields(cn="app1.example.com", org="Example"), sans=["app1.example.com"]
    )
    app2 = issue_certificate(
        ca, SubjectFields(cn="app2.example.com", org="Example"), sans=["app2.example.com"]
    )
    samples = folder / "samples"
    samples.mkdir(exist_ok=True)
    for label, issued in (("demo-ca", ca), ("app1", app1), ("app2", app2)):
        (samples / f"{label}.pem").write_bytes(issued.pem)
        key = samples / f"{label}.key"
        key.write_bytes(issued.key_pem)
        key.chmod(0o600)

    state = create_database(
        state,
        "orders",
        12000,
        tls=TlsUpdate(
            enabled=True,
            mode=TlsMode.ALL,
            enforce_client_auth=True,
            add_certificates=[_info(ca)],
            subject_validation=SubjectValidation.SAN,
            authorized_names=["app1.example.com"],
        ),
    )
    state = create_database(
        state,
        "sessions",
        12001,
        sources=[
            SourceUpdate(
                f"redis-12001.{PARTICIPANTS[0]}:12001",
                encryption=True,
                server_certificate=source_proxy,
            )
        ],
        tls=TlsUpdate(
            enabled=True,
            mode=TlsMode.REPLICA_OF,
            enforce_client_auth=True,
            add_certificates=[_info(ca)],
        ),
        replica_clusters=[PARTICIPANTS[1]],
    )
    # sessions is also the source of a replica on cluster3: it trusts that cluster's syncer
    # certificate, a leaf, so it has no subject validation (the cluster would skip it).
    state = add_participant_syncer(state, "sessions", PARTICIPANTS[1])
    syncers = [describe_pem(state.certificates[p.syncer_certificate]) for p in state.participants]
    state = create_database(
        state,
        "inventory",
        12002,
        type=DatabaseType.ACTIVE_ACTIVE,
        participants=list(PARTICIPANTS),
        tls=TlsUpdate(
            enabled=True, mode=TlsMode.CRDB, enforce_client_auth=True, add_certificates=syncers
        ),
    )
    state = create_database(state, "cache", 12003)
    workspace.commit(state, "demo: databases orders, sessions, inventory, cache")
    from .demo_peers import write_peers

    write_peers(workspace.state, folder, source_proxy)
    return path
