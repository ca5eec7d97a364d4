"""Start a program in a pseudo-terminal, as a user's shell would, and time its first frame.

The first frame is the first full-screen paint: the first write that moves the cursor
home (`ESC [ 1 ; 1 H`) after the program switched to the alternate screen. Measured from
spawn in the parent, so interpreter start-up and imports count, as they do for a user.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Sequence

FIRST_PAINT = b"\x1b[1;1H"


def time_to_first_frame(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    columns: int = 80,
    lines: int = 24,
    timeout: float = 30.0,
) -> float:
    """Seconds from spawn to the first full-screen paint of `argv` in an 80x24 terminal."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    environment = dict(env or os.environ)
    environment.update(TERM="xterm-256color", COLUMNS=str(columns), LINES=str(lines))
    start = time.perf_counter()
    child = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=environment,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""
    try:
        deadline = start + timeout
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                if child.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            seen += chunk
            if FIRST_PAINT in seen:
                return time.perf_counter() - start
        raise RuntimeError(f"{argv} painted no frame in {timeout:.0f} s; it wrote {seen[-300:]!r}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        os.close(master)
