"""Loopback ports for the servers the end-to-end tests start, never handed out twice.

Several pytest processes run at once (xdist workers, and whole runs side by side), so a
port must be unique across processes, not only within one. Each port comes from a range
below the kernel's ephemeral range (so no outgoing connection and no bind to port 0 can
take it meanwhile) and is reserved with a POSIX byte-range lock on one shared file, at the
port's offset: the lock lasts until the process exits, and the kernel drops it even when
the process is killed, so a crashed run never leaks a reservation.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import random
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE = Path(tempfile.gettempdir()) / "tls-wizard-test-ports.lock"
FIRST_PORT = 20000
_given: set[int] = set()
_lock_fd: int | None = None


def _ephemeral_start() -> int:
    """The first port of the kernel's ephemeral range (Linux), or a safe default."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _lock_file() -> int:
    global _lock_fd
    if _lock_fd is None:
        _lock_fd = os.open(LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    return _lock_fd


def _reserve(port: int) -> bool:
    """Take the cross-process reservation of `port`; False when another process holds it."""
    try:
        fcntl.lockf(_lock_file(), fcntl.LOCK_EX | fcntl.LOCK_NB, 1, port)
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EAGAIN):
            return False
        raise
    return True


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port nothing listens on, reserved for this process until it exits.

    POSIX locks never conflict within one process, so the ports this process was given
    are remembered too: two servers of one test must not get the same port.
    """
    last = _ephemeral_start() - 1
    candidates = list(range(FIRST_PORT, last + 1))
    start = random.SystemRandom().randrange(len(candidates))
    for port in candidates[start:] + candidates[:start]:
        if port in _given or not _reserve(port):
            continue
        _given.add(port)
        if _bindable(port):
            return port
    raise RuntimeError(f"no free loopback port between {FIRST_PORT} and {last}")


@contextlib.contextmanager
def holding_port(port: int) -> Iterator[None]:
    """Hold `port`'s cross-process reservation (waiting for another process's) meanwhile:
    for a test that must use one fixed port, such as the demo's documented 12000."""
    fcntl.lockf(_lock_file(), fcntl.LOCK_EX, 1, port)
    try:
        yield
    finally:
        fcntl.lockf(_lock_file(), fcntl.LOCK_UN, 1, port)
