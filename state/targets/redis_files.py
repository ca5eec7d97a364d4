"""The files a redis-server reads: written before any CONFIG SET, readable by the server.

A redis-server often runs as its own user (Debian's `redis`), so a key readable only by
the admin would make every apply fail. The admin names the owner and group (`--file-owner`,
`--file-group`); keys are then 0640 with that group, never readable by others. For a server
on this machine the check below proves, before anything changes, that its user can read
every file, and says which option fixes it when not.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import WizardError
from ..files import make_private_folder
from ..store import write_atomic
from .redis_plan import RedisPlan

KEY_MODE = 0o600
KEY_MODE_SHARED = 0o640
CERT_MODE = 0o644
FOLDER_MODE = 0o700
FOLDER_MODE_SHARED = 0o750


@dataclass(frozen=True, slots=True)
class FileOwner:
    """Who owns the written files: uid and gid, -1 for "leave as is" (os.chown's value)."""

    uid: int = -1
    gid: int = -1

    @property
    def shared(self) -> bool:
        return self.gid != -1


def file_owner(owner: str | None, group: str | None) -> FileOwner:
    """A user and a group by name or number; one clear error for names this system lacks."""
    uid = gid = -1
    if owner:
        try:
            uid = int(owner) if owner.isdigit() else pwd.getpwnam(owner).pw_uid
        except KeyError:
            raise WizardError(f"--file-owner {owner!r}: no such user on this machine") from None
    if group:
        try:
            gid = int(group) if group.isdigit() else grp.getgrnam(group).gr_gid
        except KeyError:
            raise WizardError(f"--file-group {group!r}: no such group on this machine") from None
    if (uid != -1 or gid != -1) and os.geteuid() != 0 and uid not in (-1, os.geteuid()):
        raise WizardError("only root can give files to another user; use --file-group alone")
    return FileOwner(uid, gid)


def _mode(is_key: bool, owner: FileOwner) -> int:
    if is_key:
        return KEY_MODE_SHARED if owner.shared else KEY_MODE
    return CERT_MODE


def _prepare_folder(folder: Path, owner: FileOwner) -> None:
    created = not folder.exists()
    make_private_folder(folder)  # parents too: 0700 whatever the umask
    if owner.shared:
        os.chown(folder, owner.uid, owner.gid)
        folder.chmod(FOLDER_MODE_SHARED)
    elif created:
        folder.chmod(FOLDER_MODE)


def write_files(plan: RedisPlan, owner: FileOwner) -> list[Path]:
    """Write what the server will read; returns the files this run created. A folder that
    cannot be written is one clear error, with what was already written removed again."""
    created: list[Path] = []
    for planned in plan.files:
        mode = _mode(planned.is_key, owner)
        try:
            _prepare_folder(planned.path.parent, owner)
            fresh = not planned.path.exists()
            if fresh or planned.path.read_bytes() != planned.data:
                write_atomic(planned.path, planned.data, mode)
            os.chown(planned.path, owner.uid, owner.gid)
            planned.path.chmod(mode)
        except OSError as error:
            for path in created:
                path.unlink(missing_ok=True)
            raise WizardError(
                f"cannot write {planned.path} ({error.strerror or error}); nothing was "
                "applied. Choose a folder you can write with --tls-dir"
            ) from None
        if fresh:
            created.append(planned.path)
    return created


@dataclass(frozen=True, slots=True)
class ServerUser:
    """The user a local redis-server runs as, read from /proc."""

    pid: int
    uid: int
    gids: frozenset[int]

    @property
    def name(self) -> str:
        try:
            return pwd.getpwuid(self.uid).pw_name
        except KeyError:
            return str(self.uid)


def local_server_user(pid: int | str | None, host: str) -> ServerUser | None:
    """The server's user when it runs on this machine (loopback and its pid in /proc)."""
    digits = str(pid or "")
    if host not in ("127.0.0.1", "::1", "localhost") or not digits.isdigit():
        return None
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None
    if "redis" not in Path(exe).name and "valkey" not in Path(exe).name:
        return None  # another machine's pid that happens to exist here (a tunnel, a container)
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    uid = int(fields["Uid"].split()[1])
    gids = {int(fields["Gid"].split()[1]), *map(int, fields.get("Groups", "").split())}
    return ServerUser(int(digits), uid, frozenset(gids))


def _allowed(path: Path, user: ServerUser, bits: int) -> bool:
    """Unix permission check for `user` (root reads everything); bits: 4 read, 1 search."""
    if user.uid == 0:
        return True
    info = path.stat()
    if info.st_uid == user.uid:
        return bool(info.st_mode & (bits << 6))
    if info.st_gid in user.gids:
        return bool(info.st_mode & (bits << 3))
    return bool(info.st_mode & bits)


def unreadable(paths: list[Path], user: ServerUser) -> Path | None:
    """The first file (or a folder on its way) the server's user cannot read, else None."""
    for path in paths:
        for folder in reversed(path.parents):
            if not _allowed(folder, user, 1):
                return folder
        if not _allowed(path, user, 4):
            return path
    return None


def check_server_can_read(plan: RedisPlan, user: ServerUser | None) -> None:
    """Refuse, before anything changes, files the local server could not read."""
    if user is None or not plan.files:
        return
    blocked = unreadable([planned.path for planned in plan.files], user)
    if blocked is None:
        return
    mode = stat.S_IMODE(blocked.stat().st_mode)
    what = "folder" if blocked.is_dir() else "file"
    raise WizardError(
        f"the redis-server (pid {user.pid}) runs as {user.name!r}, which cannot read the "
        f"{what} {blocked} (mode {mode:04o}); nothing was applied. Give the files to its "
        f"group (--file-group GROUP) and choose a --tls-dir whose parent folders it can "
        "enter"
    )


UNCHANGED_OWNER = FileOwner()
"""The default: files keep the owner and group of the process that writes them."""
