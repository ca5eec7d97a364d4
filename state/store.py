"""Loading and saving the state file: validated on load, atomic and locked on save.

A save writes a temporary file in the same folder, fsyncs it, renames it over the state
and fsyncs the folder, so a crash leaves either the old file or the new one. A sibling
lock file (fcntl) keeps two writers from interleaving, and the revision the change was
based on must still be the one on disk (optimistic concurrency).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import tomli_w

from . import clock
from .errors import RefusedError, StaleStateError, StateFileError
from .files import FileReadError, make_own_folder, read_bounded
from .model import State
from .schema import from_document, name_problems, to_document

HISTORY_KEEP = 10
NEW_FILE_MODE = 0o600
MAX_STATE_BYTES = 64 * 1024 * 1024
"""A state of 10,000 databases is a few MiB; far beyond that is not a state file."""
MAX_DEPTH = 32
"""The format nests tables and arrays a handful of levels deep; 1,000 levels is an attack."""
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
    except RecursionError:
        doc = None
    if doc is None or _depth_over(doc, MAX_DEPTH):
        raise StateFileError(
            f"{source}: nested more than {MAX_DEPTH} levels deep; this is not a state file"
        )
    try:
        return from_document(doc)
    except StateFileError as error:
        raise StateFileError(f"{source}: {error}") from None


def _depth_over(doc: Any, limit: int) -> bool:
    """True when tables and arrays nest deeper than `limit` (walked without recursion)."""
    pending: list[tuple[Any, int]] = [(doc, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
    return False


def dumps(state: State) -> str:
    return tomli_w.dumps(to_document(state), multiline_strings=True)


def load(path: str | os.PathLike[str]) -> State:
    """Read and validate a state file; any problem is one StateFileError naming where."""
    path = Path(path)
    try:
        data = read_bounded(path, limit=MAX_STATE_BYTES, what="state file")
    except FileReadError as error:
        if error.reason == "missing":
            raise StateFileError(
                f"{path}: no state file here; create one with `tls-wizard init --name NAME` "
                "or pass --state PATH"
            ) from None
        raise StateFileError(str(error)) from None
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


def real_path(path: str | os.PathLike[str]) -> Path:
    """Where the state really is: a symbolic link to a state file is followed, so a save
    writes through to the linked file (and keeps its history and lock beside it), and
    the link stays a link."""
    path = Path(path)
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if not target.exists():
            raise StateFileError(
                f"{path}: a symbolic link to {target}, which does not exist; point it at a "
                "state file or remove it"
            )
        return target
    return path


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the sibling lock file of `path` exclusively for the duration.

    The lock file is opened without following a symbolic link: a link planted in its
    place never makes the tool (perhaps run as root) create or open the file it names.
    """
    lock_path = path.with_name(path.name + ".lock")
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(lock_path, flags, NEW_FILE_MODE)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise StateFileError(
                f"{lock_path}: the lock file is a symbolic link; remove it (the tool creates "
                "its own) and try again"
            ) from None
        raise StateFileError(f"{lock_path}: cannot open the lock file ({error.strerror})") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StateFileError(f"{lock_path}: the lock file is not a regular file; remove it")
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


def _history_name(path: Path) -> re.Pattern[str]:
    """The names of this state's own revisions: `prod-000012.toml` is prod's, and
    `prod-eu-000003.toml` (another state's) is not."""
    return re.compile(re.escape(path.stem) + r"-(\d{6,})\.toml")


def _own_history(path: Path) -> list[tuple[int, Path]]:
    """This state's history files, oldest first, by the revision in their name."""
    pattern = _history_name(path)
    found = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(history_folder(path)):
            match = pattern.fullmatch(entry.name)
            if match:
                found.append((int(match.group(1)), Path(entry.path)))
    return sorted(found)


def save(
    path: str | os.PathLike[str], state: State, *, base_revision: int | None, change: str
) -> State:
    """Save `state` as the next revision after `base_revision` and return what was written.

    `base_revision` None means the file must not exist yet (a new state). Refused with
    StaleStateError when the file on disk has moved on; nothing is written then.
    """
    path = real_path(path)
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


_TEMPORARY = r"\.[a-z0-9_]+\.tmp"
"""What `tempfile.mkstemp` adds between write_atomic's prefix and suffix."""


def _remove_orphaned_temporaries(path: Path) -> None:
    """Temporary files of a writer that died mid-save. Every writer of this state holds
    the lock while its temporary file exists, so under the lock any of this state's that
    are left are orphans; another state's (prod-eu beside prod) are never touched."""
    folders = [
        (path.parent, re.escape(f".{path.name}") + _TEMPORARY),
        (history_folder(path), re.escape(f".{path.stem}-") + r"\d{6,}\.toml" + _TEMPORARY),
    ]
    for folder, pattern in folders:
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            for entry in os.scandir(folder):
                if re.fullmatch(pattern, entry.name):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


def _keep_history(path: Path, revision: int) -> None:
    """Copy the file about to be replaced (at `revision`, just read under the lock) into
    the history folder; keep the newest ten. The revision is passed in rather than parsed
    again: a third parse per save cost a second at 10,000 databases."""
    make_own_folder(path.parent / ".tls-wizard")
    make_own_folder(history_folder(path))
    try:
        data = read_bounded(path, limit=MAX_STATE_BYTES, what="state file")
    except FileReadError as error:
        raise StateFileError(str(error)) from None
    write_atomic(_history_file(path, revision), data, NEW_FILE_MODE)
    for _, old in _own_history(path)[:-HISTORY_KEEP]:
        old.unlink()


@dataclass(frozen=True, slots=True)
class Revision:
    revision: int
    saved_at: str
    change: str
    current: bool


def _trusted_revision(file: Path, revision: int, current: State) -> State:
    """A history file as a revision of `current`'s state, or StateFileError saying why it is
    not trusted: it must be a regular file of this user that nobody else can write, and
    parse as this state's revision `revision` (the same cluster)."""
    try:
        info = os.lstat(file)
    except OSError as error:
        raise StateFileError(f"{file}: cannot be read ({error.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise StateFileError(f"{file}: not a regular file; it is ignored")
    if info.st_uid != os.getuid():
        raise StateFileError(f"{file}: owned by another user (uid {info.st_uid}); it is ignored")
    if info.st_mode & 0o022:
        raise StateFileError(
            f"{file}: others may write to it (mode {stat.S_IMODE(info.st_mode):04o}); it is ignored"
        )
    old = load(file)
    if old.revision != revision:
        raise StateFileError(
            f"{file}: holds revision {old.revision}, not {revision}; it is ignored"
        )
    if old.cluster.name != current.cluster.name:
        raise StateFileError(
            f"{file}: a revision of cluster {old.cluster.name[:80]!r}, not of "
            f"{current.cluster.name[:80]!r}; it is ignored"
        )
    return old


class History(NamedTuple):
    """The kept revisions (oldest first, then the current one) and a note for every history
    file that was ignored."""

    revisions: list[Revision]
    notes: list[str]


def history_with_notes(path: str | os.PathLike[str]) -> History:
    """The kept revisions, oldest first, then the current one; and a note for every
    history file that was ignored (unreadable, not ours, or not this state's)."""
    path = real_path(path)
    current = load(path)
    revisions, notes = [], []
    for number, file in _own_history(path):
        try:
            old = _trusted_revision(file, number, current)
        except StateFileError as error:
            notes.append(str(error))
            continue
        revisions.append(Revision(old.revision, old.saved_at, old.change, False))
    revisions.append(Revision(current.revision, current.saved_at, current.change, True))
    return History(revisions, notes)


def history(path: str | os.PathLike[str]) -> list[Revision]:
    """The kept revisions, oldest first, then the current one."""
    return history_with_notes(path)[0]


def load_revision(path: str | os.PathLike[str], revision: int) -> State:
    """A kept revision, refused unless it is trusted as this state's own (see history)."""
    path = real_path(path)
    current = load(path)
    kept = dict(_own_history(path))
    if revision not in kept:
        listed = ", ".join(str(r.revision) for r in history(path) if not r.current) or "none"
        raise StateFileError(f"revision {revision} is not kept in the history (kept: {listed})")
    try:
        return _trusted_revision(kept[revision], revision, current)
    except StateFileError as error:
        raise StateFileError(f"revision {revision} cannot be restored: {error}") from None


def rollback(path: str | os.PathLike[str], revision: int) -> State:
    """Restore a kept revision as a new revision (the history moves forward, never back)."""
    path = real_path(path)
    current = load(path)
    if revision == current.revision:
        raise StateFileError(f"revision {revision} is the current one; nothing to roll back")
    old = load_revision(path, revision)
    return save(
        path, old, base_revision=current.revision, change=f"rollback to revision {revision}"
    )
