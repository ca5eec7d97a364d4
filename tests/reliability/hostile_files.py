"""Families of hostile files and paths, for the file half of the hostile-input corpus.

Each family is a generator seeded by a number, so the quick form runs a handful and the
slow form many, and a held-out run with another seed meets inputs nobody wrote by hand:

- `key_file_strings`: what a state file may put in `key_file` (absolute, `..`, odd
  separators, names that are almost `keys/NAME`).
- `KEY_FILE_KINDS`: what may sit at a syntactically fine `keys/NAME` (a link out of the
  folder, a FIFO, a device, a folder, an oversized file, a certificate, another key...),
  each with the finding code `check` must report.
- `state_file_kinds`: what may sit where the state file is expected (a FIFO, a device, a
  folder, a sparse giant, nesting 40 to 100,000 levels deep, links).

Every case is built in a fresh folder laid out as `root/state/` (the state's folder),
`root/outside/` (files the tool must never read: a copy of the real proxy key, so a
leak would be a working key) and `root/out/` (the named output folder).
"""

from __future__ import annotations

import os
import random
import shutil
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

SECRET_NAME = "stolen.key"

_COMPONENTS = ["..", ".", "keys", "", "outside", SECRET_NAME, "etc", "shadow", "state", "x"]
_PREFIXES = ["", "/", "//", "./", "~/", "keys/", "keys//", "keys/./", "C:\\", "\\\\", "~root/"]


def key_file_strings(seed: int, count: int, root: Path) -> Iterator[str]:
    """`count` hostile key_file values: the well-known ones first, then random mixtures of
    prefixes, `..`, `.`, empty parts and both separators. None is a plain `keys/NAME`
    naming a file that exists."""
    fixed = [
        "/etc/shadow",
        "/etc/passwd",
        "/dev/zero",
        "/proc/self/environ",
        str(root / "outside" / SECRET_NAME),
        f"../outside/{SECRET_NAME}",
        f"keys/../../outside/{SECRET_NAME}",
        f"keys/../keys/../../outside/{SECRET_NAME}",
        f"./keys/../../outside/{SECRET_NAME}",
        f"keys\\..\\..\\outside\\{SECRET_NAME}",
        f"keys/sub/../../../outside/{SECRET_NAME}",
        "keys/..",
        "keys/.",
        "keys/",
        "keys",
        "..",
        f"keys//{SECRET_NAME}",
        "keys/.hidden.key",
        "keys/proxy.key\x00.pem",
        "keys/\x1b]2;owned\x07.key",
        "keys/\u202eyek.key",
        "keys/" + "a" * 300,
    ]
    rng = random.Random(seed)
    made = fixed[: min(len(fixed), count)]
    while len(made) < count:
        parts = [rng.choice(_COMPONENTS) for _ in range(rng.randint(1, 6))]
        separator = rng.choice(["/", "/", "\\"])
        text = rng.choice(_PREFIXES) + separator.join(parts)
        if text.strip():
            made.append(text)
    yield from made


@dataclass(frozen=True)
class KeyFileKind:
    """A thing planted at `keys/NAME`; `codes` are the finding codes `check` may report."""

    name: str
    plant: Callable[[Path, Path, bytes], None]
    codes: tuple[str, ...]
    needs_root: bool = False


def _symlink_out(key: Path, root: Path, real: bytes) -> None:
    key.symlink_to(root / "outside" / SECRET_NAME)


def _relative_symlink_out(key: Path, root: Path, real: bytes) -> None:
    key.symlink_to(Path("..") / ".." / "outside" / SECRET_NAME)


def _symlink_in(key: Path, root: Path, real: bytes) -> None:
    inside = key.with_name("real-copy.key")
    inside.write_bytes(real)
    key.symlink_to(inside.name)


def _dangling(key: Path, root: Path, real: bytes) -> None:
    key.symlink_to(root / "outside" / "nothing-here.key")


def _fifo(key: Path, root: Path, real: bytes) -> None:
    os.mkfifo(key)


def _symlink_to_fifo(key: Path, root: Path, real: bytes) -> None:
    fifo = root / "outside" / "pipe"
    if not fifo.exists():
        os.mkfifo(fifo)
    key.symlink_to(fifo)


def _zero_device(key: Path, root: Path, real: bytes) -> None:
    os.mknod(key, 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # what /dev/zero is


def _symlink_to_dev_zero(key: Path, root: Path, real: bytes) -> None:
    key.symlink_to("/dev/zero")


def _socket(key: Path, root: Path, real: bytes) -> None:
    import socket

    # Bound by its name from its folder: a socket's path is limited to 107 bytes, and the
    # temporary folders of parallel workers can be deeper than that.
    here = os.getcwd()
    os.chdir(key.parent)
    try:
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(key.name)
    finally:
        os.chdir(here)


def _folder(key: Path, root: Path, real: bytes) -> None:
    key.mkdir()
    (key / "proxy.key").write_bytes(real)


def _oversized(key: Path, root: Path, real: bytes) -> None:
    key.write_bytes(real + b"\n" + b"#" * (70 * 1024))


def _sparse_giant(key: Path, root: Path, real: bytes) -> None:
    with key.open("wb") as handle:
        handle.write(real)
        handle.truncate(8 * 1024 * 1024 * 1024)  # 8 GiB that cost nothing on disk


def _empty(key: Path, root: Path, real: bytes) -> None:
    key.write_bytes(b"")


def _certificate(key: Path, root: Path, real: bytes) -> None:
    key.write_bytes((root / "outside" / "certificate.pem").read_bytes())


def _garbage(key: Path, root: Path, real: bytes) -> None:
    key.write_bytes(random.Random(len(str(key))).randbytes(3000))


def _other_key(key: Path, root: Path, real: bytes) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    key.write_bytes(
        other.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _encrypted(key: Path, root: Path, real: bytes) -> None:
    loaded = serialization.load_pem_private_key(real, password=None)
    key.write_bytes(
        loaded.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )


def _keys_folder_is_a_link(key: Path, root: Path, real: bytes) -> None:
    folder = key.parent
    elsewhere = root / "outside" / "keys"
    elsewhere.mkdir()
    for item in folder.iterdir():
        shutil.move(str(item), elsewhere / item.name)
    (elsewhere / key.name).write_bytes(real)
    folder.rmdir()
    folder.symlink_to(elsewhere)


NOT_REGULAR = ("key-file-not-regular",)
KEY_FILE_KINDS = [
    KeyFileKind("symlink out of the folder", _symlink_out, NOT_REGULAR),
    KeyFileKind("relative symlink out", _relative_symlink_out, NOT_REGULAR),
    KeyFileKind("symlink inside the folder", _symlink_in, NOT_REGULAR),
    KeyFileKind("dangling symlink", _dangling, (*NOT_REGULAR, "key-file-missing")),
    KeyFileKind("FIFO", _fifo, NOT_REGULAR),
    KeyFileKind("symlink to a FIFO", _symlink_to_fifo, NOT_REGULAR),
    KeyFileKind("character device (/dev/zero)", _zero_device, NOT_REGULAR, needs_root=True),
    KeyFileKind("symlink to /dev/zero", _symlink_to_dev_zero, NOT_REGULAR),
    KeyFileKind("socket", _socket, NOT_REGULAR),
    KeyFileKind("folder", _folder, NOT_REGULAR),
    KeyFileKind("over 64 KiB", _oversized, ("key-file-too-large",)),
    KeyFileKind("sparse 8 GiB", _sparse_giant, ("key-file-too-large",)),
    KeyFileKind("empty", _empty, ("key-file-not-a-key",)),
    KeyFileKind("a certificate", _certificate, ("key-file-not-a-key",)),
    KeyFileKind("random bytes", _garbage, ("key-file-not-a-key",)),
    KeyFileKind("another key", _other_key, ("key-mismatch",)),
    KeyFileKind("encrypted key", _encrypted, ("key-file-not-a-key",)),
    KeyFileKind("keys folder is a link out", _keys_folder_is_a_link, NOT_REGULAR),
]


@dataclass(frozen=True)
class StateKind:
    """A thing at the state path; `make` builds it from a valid state's text."""

    name: str
    make: Callable[[Path, str], None]
    needs_root: bool = False


def _state_fifo(path: Path, text: str) -> None:
    os.mkfifo(path)


def _state_dev_zero(path: Path, text: str) -> None:
    path.symlink_to("/dev/zero")


def _state_device(path: Path, text: str) -> None:
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 5))


def _state_folder(path: Path, text: str) -> None:
    path.mkdir()


def _state_sparse(path: Path, text: str) -> None:
    with path.open("wb") as handle:
        handle.write(text.encode())
        handle.truncate(100 * 1024 * 1024)


def _state_link_to_fifo(path: Path, text: str) -> None:
    fifo = path.with_name("pipe")
    os.mkfifo(fifo)
    path.symlink_to(fifo)


def nested(depth: int, seed: int) -> str:
    """A value nested `depth` levels: arrays, inline tables, or a random mixture."""
    rng = random.Random(seed)
    opening, closing = [], []
    for _ in range(depth):
        if rng.random() < 0.5:
            opening.append("[")
            closing.append("]")
        else:
            opening.append("{a=")
            closing.append("}")
    return "".join(opening) + "1" + "".join(reversed(closing))


def deep_state_kinds(seed: int, count: int) -> list[StateKind]:
    """State files whose text is valid up to a key nested 40 to 100,000 levels deep,
    placed at the top, inside [cluster], or inside a database table."""
    rng = random.Random(seed)
    depths = [40, 1000, 100_000] + [rng.choice([33, 64, 500, 2000, 20_000]) for _ in range(count)]
    kinds = []
    for index, depth in enumerate(depths[:count]):
        value = nested(depth, seed + index)
        place = rng.choice(["top", "cluster", "database"])

        def make(path: Path, text: str, value: str = value, place: str = place) -> None:
            if place == "top":
                text = f"deep = {value}\n" + text
            elif place == "cluster":
                text = text.replace("[cluster]\n", f"[cluster]\ndeep = {value}\n", 1)
            else:
                text = text + f"\n[[databases]]\nuid = 99\nname = 'deep'\nport = 1\nx = {value}\n"
            path.write_text(text)

        kinds.append(StateKind(f"nested {depth} ({place})", make))
    return kinds


STATE_KINDS = [
    StateKind("FIFO", _state_fifo),
    StateKind("symlink to /dev/zero", _state_dev_zero),
    StateKind("character device", _state_device, needs_root=True),
    StateKind("folder", _state_folder),
    StateKind("sparse 100 MiB", _state_sparse),
    StateKind("symlink to a FIFO", _state_link_to_fifo),
]
