"""The one way the tool reads a file and the one way it makes a folder.

Every file the tool reads (the state, its history, key files, certificate and JSON
imports, paths pasted into a screen) may be hostile: a FIFO that never answers, a device
that never ends, a multi-gigabyte file, a symbolic link to somebody else's secret. So a
read stats the path first, opens it non-blocking, checks again on the open descriptor
that it is a regular file, and reads at most `limit` bytes; anything else is one
`FileReadError` saying what the path is and what was expected.

Folders the tool makes are 0700 whatever the umask: they hold private keys and the
revisions a rollback restores, which nobody else may read or plant.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from .errors import WizardError

PRIVATE_FOLDER_MODE = 0o700


class FileReadError(WizardError):
    """A file that cannot be read as what was asked for; `reason` is a stable word
    (missing, folder, special, symlink, too-large, unreadable) callers may reword on."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _kind(mode: int) -> str:
    kinds = [
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    ]
    return next((word for test, word in kinds if test(mode)), "not a regular file")


def _size_words(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit // (1024 * 1024)} MiB"
    if limit >= 1024:
        return f"{limit // 1024} KiB"
    return f"{limit} bytes"


def _check(path: object, info: os.stat_result, limit: int | None, what: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise FileReadError(f"{path}: is a folder, not a {what}", "folder")
    if stat.S_ISLNK(info.st_mode):
        raise FileReadError(
            f"{path}: is a symbolic link; the {what} must be a regular file", "symlink"
        )
    if not stat.S_ISREG(info.st_mode):
        raise FileReadError(
            f"{path}: is {_kind(info.st_mode)}, not a regular file; give a {what}", "special"
        )
    if limit is not None and info.st_size > limit:
        raise FileReadError(
            f"{path}: larger than {_size_words(limit)}; is this a {what}?", "too-large"
        )


def _refusal(path: object, error: OSError, what: str, follow: bool) -> FileReadError:
    if isinstance(error, FileNotFoundError):
        return FileReadError(f"{path}: no such {what}; check the path", "missing")
    if isinstance(error, NotADirectoryError):
        return FileReadError(f"{path}: no such {what} (a part of the path is a file)", "missing")
    if isinstance(error, IsADirectoryError):
        return FileReadError(f"{path}: is a folder, not a {what}", "folder")
    if error.errno == errno.ELOOP and not follow:
        return FileReadError(
            f"{path}: is a symbolic link; the {what} must be a regular file", "symlink"
        )
    if isinstance(error, PermissionError):
        return FileReadError(f"{path}: permission denied; check the file's mode", "unreadable")
    reason = error.strerror or type(error).__name__
    return FileReadError(f"{path}: cannot be read ({reason})", "unreadable")


def read_bounded(
    path: str | os.PathLike[str],
    *,
    limit: int,
    what: str = "file",
    follow_symlinks: bool = True,
    dir_fd: int | None = None,
    shown: object = None,
    cut_at_limit: bool = False,
) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or one FileReadError.

    Never blocks: a FIFO or device is refused from its stat before it is opened, and the
    open itself is non-blocking (a FIFO swapped in between is refused by fstat). With
    `follow_symlinks` False a symbolic link is refused rather than followed. `dir_fd`
    opens `path` relative to an open folder; `shown` is what messages call the file.
    With `cut_at_limit` a larger file is not refused but read up to one byte over the
    limit, for a caller that reports the size itself (the inspector's finding).
    """
    shown = path if shown is None else shown
    refused_over = None if cut_at_limit else limit
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    try:
        before = os.stat(path, dir_fd=dir_fd, follow_symlinks=follow_symlinks)
        _check(shown, before, refused_over, what)
        fd = os.open(path, flags, dir_fd=dir_fd)
    except (OSError, ValueError) as error:
        if isinstance(error, ValueError):  # a NUL in the name
            raise FileReadError(f"{shown!s:.80}: not a file name", "missing") from None
        raise _refusal(shown, error, what, follow_symlinks) from None
    try:
        _check(shown, os.fstat(fd), refused_over, what)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, limit + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        raise _refusal(shown, error, what, follow_symlinks) from None
    finally:
        os.close(fd)
    if total > limit and not cut_at_limit:  # grew since it was stat'ed
        raise FileReadError(
            f"{shown}: larger than {_size_words(limit)}; is this a {what}?", "too-large"
        )
    return b"".join(chunks)


def make_private_folder(folder: str | os.PathLike[str]) -> Path:
    """`folder` and any missing parents, each created 0700 whatever the umask.

    A folder that already exists is left as it is, except that one the tool owns is
    narrowed to 0700 when others could write to it (an earlier run under umask 000).
    A symbolic link in the folder's place is refused: nothing private is written
    through a link someone else may have planted.
    """
    folder = Path(folder)
    missing = []
    current = folder
    while not current.exists() and not current.is_symlink():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, PRIVATE_FOLDER_MODE)
        except FileExistsError:
            continue  # made meanwhile by another run: left as it is
        os.chmod(path, PRIVATE_FOLDER_MODE)  # the umask may have taken bits away
    return folder


def tighten_own_folder(folder: Path) -> None:
    """Refuse a link in place of one of the tool's own folders; narrow it to 0700 when it is
    ours and group or others may write into it."""
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise WizardError(
            f"{folder}: is {_kind(info.st_mode)}, not a folder; the tool keeps private files "
            "there, so remove it and try again"
        )
    if info.st_uid == os.getuid() and info.st_mode & 0o022:
        os.chmod(folder, PRIVATE_FOLDER_MODE)


def make_own_folder(folder: str | os.PathLike[str]) -> Path:
    """One of the tool's own folders (keys/, .tls-wizard/, its history/): made 0700, and
    when it exists already, checked to be a real folder and narrowed if others could write
    into it."""
    folder = Path(folder)
    make_private_folder(folder)
    tighten_own_folder(folder)
    return folder


def write_new_file(path: str | os.PathLike[str], data: bytes, mode: int) -> bool:
    """Create `path` holding `data` with exactly `mode`, never replacing anything there.

    The bytes are written whole to a temporary file and hard-linked into place, so the
    name appears complete or not at all, and a link that finds the name taken (a file,
    or a symbolic link someone planted) fails instead of writing through it. Returns
    False when the name was taken; nothing is changed then.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp_name, path, follow_symlinks=False)
        except FileExistsError:
            return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
    fsync_folder(path.parent)
    return True


def fsync_folder(folder: str | os.PathLike[str]) -> None:
    """Make a rename or link in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
