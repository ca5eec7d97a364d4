"""Private key files beside the state: where they may be, how they are read and written.

A state file names its proxy and syncer keys (`key_file`), and a state file may come
from anyone. So a key file is only ever `keys/NAME` inside the state's own folder: no
absolute path, no `..`, no symbolic link (the keys folder and the file are opened without
following links), a regular file of at most 64 KiB. It is read only through
`read_checked_key`, which also parses it as a private key and matches it to its
certificate, before anything exports, applies or sends it.

Keys are written once: a new key file is created exclusively under a name made from its
certificate's fingerprint, so no run of the tool ever replaces a key another state uses.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from pathlib import Path
from typing import NamedTuple

from .errors import WizardError
from .files import FileReadError, make_own_folder, read_bounded, write_new_file
from .findings import Finding

KEYS_FOLDER = "keys"
KEY_FILE_MODE = 0o600
MAX_KEY_BYTES = 64 * 1024
"""An RSA 16384-bit key in PEM is about 12 KiB; anything far larger is not a key."""

_KEY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")

_READ_CODES = {
    "missing": "key-file-missing",
    "folder": "key-file-not-regular",
    "special": "key-file-not-regular",
    "symlink": "key-file-not-regular",
    "too-large": "key-file-too-large",
    "unreadable": "key-file-unreadable",
}


class KeyFileError(WizardError):
    """A key file that must not be used; `code` is the finding code `check` reports."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(f"{message} [{code}]")
        self.code = code
        self.reason = message


def key_file_problem(key_file: str) -> str | None:
    """Why `key_file` is not a plain `keys/NAME` inside the state's folder, or None."""
    if key_file.startswith(("/", "~")) or re.match(r"[A-Za-z]:[\\/]", key_file):
        return "is an absolute path"
    parts = key_file.replace("\\", "/").split("/")
    if ".." in parts:
        return "climbs out of the state's folder (..)"
    if len(parts) != 2 or parts[0] != KEYS_FOLDER:
        return f"is not a file directly in the {KEYS_FOLDER}/ folder beside the state"
    if not _KEY_NAME.match(parts[1]):
        return "has a name other than letters, digits, '.', '_' and '-'"
    return None


def key_file_name(role: str, certificate_sha256: str) -> str:
    """`proxy-<16 hex>.key`: unique per certificate, so states sharing a folder never
    share (or overwrite) a key file."""
    return f"{role}-{certificate_sha256[:16]}.key"


def _refuse_syntax(key_file: str, role: str) -> None:
    problem = key_file_problem(key_file)
    if problem:
        raise KeyFileError(
            f"the {role} key_file {key_file[:80]!r} {problem}; keys live in "
            f"{KEYS_FOLDER}/ beside the state file (install it with "
            f"`cluster certificate set {role}`)",
            "key-file-outside",
        )


def _open_keys_folder(state_folder: Path) -> int:
    folder = state_folder / KEYS_FOLDER
    try:
        return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        raise KeyFileError(
            f"{folder}: no keys folder beside the state", "key-file-missing"
        ) from None
    except OSError as error:
        raise KeyFileError(
            f"{folder}: not a folder of its own (a symbolic link or a file); the keys must be "
            f"in a real {KEYS_FOLDER}/ folder beside the state ({error.strerror})",
            "key-file-not-regular",
        ) from None


def read_key_bytes(state_folder: Path, key_file: str, role: str = "cluster") -> bytes:
    """The bytes of `key_file`, confined to the state's keys folder and bounded; not yet
    parsed. Use `read_checked_key` for anything that leaves the tool."""
    _refuse_syntax(key_file, role)
    name = key_file.split("/")[1]
    folder_fd = _open_keys_folder(state_folder)
    shown = state_folder / key_file
    try:
        return read_bounded(
            name,
            limit=MAX_KEY_BYTES,
            what="private key file",
            follow_symlinks=False,
            dir_fd=folder_fd,
            shown=shown,
        )
    except FileReadError as error:
        raise KeyFileError(
            f"the {role} key file {error}", _READ_CODES.get(error.reason, "key-file-unreadable")
        ) from None
    finally:
        os.close(folder_fd)


def read_checked_key(
    state_folder: Path, key_file: str, certificate_pem: str, role: str = "cluster"
) -> bytes:
    """The key file's bytes, only once they parse as a private key that matches
    `certificate_pem`; otherwise a KeyFileError naming what is wrong (never the bytes)."""
    from .certificates import CertificateInputError, describe_pem, key_matches, load_private_key

    data = read_key_bytes(state_folder, key_file, role)
    try:
        key = load_private_key(data, f"the {role} key file {key_file}")
    except CertificateInputError as error:
        raise KeyFileError(str(error), "key-file-not-a-key") from None
    if not key_matches(describe_pem(certificate_pem), key):
        raise KeyFileError(
            f"the {role} key file {key_file} does not match the {role} certificate; install "
            f"the certificate again with its key (`cluster certificate set {role}`)",
            "key-mismatch",
        )
    return data


def key_file_findings(state_folder: Path, state) -> list[Finding]:
    """One error per proxy/syncer key file that could not be used as it is (`check`)."""
    from .enterprise.rest import CLUSTER_HELD_SUFFIX  # imported without its key: no file
    from .vocabulary import CertificateRole

    findings = []
    for role in CertificateRole:
        ref = state.cluster.certificate(role)
        if ref is None or ref.key_file.endswith(CLUSTER_HELD_SUFFIX):
            continue
        pem = state.certificates.get(ref.certificate)
        if pem is None:
            continue  # the rules report the missing certificate
        try:
            read_checked_key(state_folder, ref.key_file, pem, role)
        except KeyFileError as error:
            findings.append(Finding("error", error.code, error.reason, f"cluster.{role}.key_file"))
    return findings


class NewKey(NamedTuple):
    """A key file write_new_key placed: its state-relative path and whether it is new."""

    key_file: str
    created: bool
    """False when the same bytes were already there (the same certificate installed twice)."""


def write_new_key(state_folder: Path, name: str, key_pem: bytes) -> NewKey:
    """Create `keys/NAME` (0600) holding `key_pem`, never replacing a file already there.

    Returns the relative key_file and whether this call created it; a file already
    holding exactly these bytes is reused (the same certificate installed twice), any
    other is refused.
    """
    key_file = f"{KEYS_FOLDER}/{name}"
    _refuse_syntax(key_file, "new")
    folder = make_own_folder(state_folder / KEYS_FOLDER)
    if write_new_file(folder / name, key_pem, KEY_FILE_MODE):
        return NewKey(key_file, True)
    if _holds(state_folder, key_file, key_pem):
        return NewKey(key_file, False)
    raise WizardError(
        f"{folder / name} already exists and holds another key; it was not overwritten"
    )


def _holds(state_folder: Path, key_file: str, key_pem: bytes) -> bool:
    try:
        return read_key_bytes(state_folder, key_file) == key_pem
    except KeyFileError:
        return False


def remove_created_key(state_folder: Path, key_file: str) -> None:
    """Remove a key file this run created and no saved state references (a refused save)."""
    if key_file_problem(key_file) is None:
        path = state_folder / key_file
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISREG(os.lstat(path).st_mode):
                path.unlink()
