"""Writing a certificate out of the state into a file of its own (the syncer certificate
that another cluster must trust, for instance).

The screens never write files themselves; they call this, so the CLI and the wizard write
the same bytes with the same refusals.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import WizardError
from .model import State
from .store import write_atomic

CERTIFICATE_FILE_MODE = 0o644
"""A certificate is public; other tools and users may need to read it."""


def default_export_name(state: State, role: str) -> str:
    """`<fqdn>-<role>.pem`: names that stay distinct when several clusters' files meet."""
    return f"{state.cluster.fqdn}-{role}.pem"


def export_cluster_certificate(
    state: State, role: str, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write the proxy or syncer certificate (leaf, then its chain) as PEM to `path`.

    An existing file is refused unless `overwrite`; the write is atomic either way.
    """
    pem = state.certificate_pem(role)
    path = Path(path).expanduser()
    if path.is_dir():
        path = path / default_export_name(state, role)
    if path.exists() and not overwrite:
        raise WizardError(f"{path} already exists; it was not overwritten: choose another name")
    if not path.parent.is_dir():
        raise WizardError(f"{path.parent}: no such folder")
    try:
        write_atomic(path, pem.encode("ascii"), CERTIFICATE_FILE_MODE)
    except OSError as error:
        raise WizardError(f"{path}: cannot write ({error.strerror})") from None
    return path
