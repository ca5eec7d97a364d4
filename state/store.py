"""Loading and saving the state file: validated on load, atomic and locked on save.

A save writes a temporary file in the same folder, fsyncs it, renames it over the state
and fsyncs the folder, so a crash leaves either the old file or the new one. A sibling
lock file (fcntl) keeps two writers from interleaving, and the revision the change was
based on must still be the one on disk (optimistic concurrency).
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import stat
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from . import clock
from .errors import RefusedError, StaleStateError, StateFileError
from .model import State
from .schema import from_document, name_problems, to_document

HISTORY_KEEP = 10
NEW_FILE_MODE = 0o600
DEFAULT_STATE = "tls-wizard.toml"
STATE_ENV = "TLS_WIZARD_STATE"


def default_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--state PATH`, then `TLS_WIZARD_STATE`, then `./tls-wizard.toml`."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get(STATE_ENV) or DEFAULT_STATE)


def parse(text: str, source: str = "state") -> State:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StateFileError(f"{source}: not valid TOML: {error}") from None
    try:
        return from_document(doc)
    except StateFileError as error:
        raise StateFileError(f"{source}: {error}") from None


def dumps(state: State) -> str:
    return tomli_w.dumps(to_document(state), multiline_strings=True)


def load(path: str | os.PathLike[str]) -> State:
    """Read and validate a state file; any problem is one StateFileError naming where."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StateFileError(
            f"{path}: no state file here; create one with `tls-wizard init --name NAME` "
            "or pass --state PATH"
        ) from None
    except IsADirectoryError:
        raise StateFileError(f"{path}: is a folder, not a state file") from None
    except OSError as error:
        raise StateFileError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StateFileError(
            f"{path}: not UTF-8 text (byte {error.start}); is this a state file?"
        ) from None
    return parse(text, str(path))


def disk_revision(path: Path) -> int | None:
    """The revision of the file on disk, or None when there is no file."""
    if not path.exists():
        return None
    return load(path).revision


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the sibling lock file of `path` exclusively for the duration."""
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, NEW_FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace `path` with `data` so that readers see the old file or the new one, never half."""
    path = Path(path)
    if mode is None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = NEW_FILE_MODE
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def history_folder(path: Path) -> Path:
    return path.parent / ".tls-wizard" / "history"


def _history_file(path: Path, revision: int) -> Path:
    return history_folder(path) / f"{path.stem}-{revision:06d}.toml"


def refuse_bad_names(state: State) -> None:
    """Nothing is saved with a name Redis Enterprise would not accept (state.names)."""
    problems = name_problems(state)
    if problems:
        raise RefusedError(f"refused, nothing saved: {problems[0]}")


def save(
    path: str | os.PathLike[str], state: State, *, base_revision: int | None, change: str
) -> State:
    """Save `state` as the next revision after `base_revision` and return what was written.

    `base_revision` None means the file must not exist yet (a new state). Refused with
    StaleStateError when the file on disk has moved on; nothing is written then.
    """
    path = Path(path)
    refuse_bad_names(state)
    with locked(path):
        _remove_orphaned_temporaries(path)
        current = disk_revision(path)
        if base_revision is None and current is not None:
            raise StateFileError(
                f"{path}: a state file already exists here; it was not overwritten"
            )
        if base_revision is not None:
            if current is None:
                raise StateFileError(f"{path}: the state file was removed since it was opened")
            if current != base_revision:
                raise StaleStateError(str(path), base_revision, current)
        saved = state.copy()
        saved.prune_certificates()
        saved.revision = (current or 0) + 1
        saved.saved_at = clock.now().replace(microsecond=0).isoformat()
        saved.change = change
        if current is not None:
            _keep_history(path, current)
        write_atomic(path, dumps(saved).encode("utf-8"))
    return saved


def _remove_orphaned_temporaries(path: Path) -> None:
    """Temporary files of a writer that died mid-save. Every writer holds the lock while
    its temporary file exists, so under the lock any that are left are orphans."""
    folders = [(path.parent, path.name), (history_folder(path), f"{path.stem}-")]
    for folder, prefix in folders:
        for orphan in folder.glob(f".{glob.escape(prefix)}*.tmp"):
            with contextlib.suppress(OSError):
                orphan.unlink()


def _keep_history(path: Path, revision: int) -> None:
    """Copy the file about to be replaced (at `revision`, just read under the lock) into
    the history folder; keep the newest ten. The revision is passed in rather than parsed
    again: a third parse per save cost a second at 10,000 databases."""
    folder = history_folder(path)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = path.read_bytes()
    write_atomic(_history_file(path, revision), data, NEW_FILE_MODE)
    for old in sorted(folder.glob(f"{path.stem}-*.toml"))[:-HISTORY_KEEP]:
        old.unlink()


@dataclass(frozen=True, slots=True)
class Revision:
    revision: int
    saved_at: str
    change: str
    current: bool


def history(path: str | os.PathLike[str]) -> list[Revision]:
    """The kept revisions, oldest first, then the current one."""
    path = Path(path)
    current = load(path)
    revisions = []
    for file in sorted(history_folder(path).glob(f"{path.stem}-*.toml")):
        try:
            old = load(file)
        except StateFileError:
            continue
        revisions.append(Revision(old.revision, old.saved_at, old.change, False))
    revisions.append(Revision(current.revision, current.saved_at, current.change, True))
    return revisions


def load_revision(path: str | os.PathLike[str], revision: int) -> State:
    path = Path(path)
    file = _history_file(path, revision)
    if not file.exists():
        kept = ", ".join(str(r.revision) for r in history(path) if not r.current) or "none"
        raise StateFileError(f"revision {revision} is not kept in the history (kept: {kept})")
    return load(file)


def rollback(path: str | os.PathLike[str], revision: int) -> State:
    """Restore a kept revision as a new revision (the history moves forward, never back)."""
    path = Path(path)
    current = load(path)
    if revision == current.revision:
        raise StateFileError(f"revision {revision} is the current one; nothing to roll back")
    old = load_revision(path, revision)
    return save(
        path, old, base_revision=current.revision, change=f"rollback to revision {revision}"
    )
