"""The process the crash-safety test kills: it saves the state in a loop, forever.

Run as `python crash_child.py STATE`. Each save is revision n = previous + 1 with the
content `mutate(state, n)`, so the test can rebuild what any revision must hold. After a
save returns, the revision is printed: the file on disk may then be that revision, or
the next one if the process was killed after writing it but before printing.
"""

from __future__ import annotations

import sys

from state import store
from state.model import State


def mutate(state: State, n: int) -> State:
    """The content of revision n: a pure function of the state before it and n."""
    new = state.copy()
    first, last = new.databases[0], new.databases[-1]
    first.port = 1000 + n % 9000
    last.tls.authorized_names = [f"rev{n}.example.com", f"*.r{n}.example.com"]
    last.tls.subject_validation = "san"
    return new


def main(path: str) -> None:
    state = store.load(path)
    print("ready", flush=True)
    while True:
        n = state.revision + 1
        state = store.save(path, mutate(state, n), base_revision=state.revision, change=f"loop {n}")
        print(state.revision, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
