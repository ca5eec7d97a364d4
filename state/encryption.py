"""Client-side encryption: a data key file and the example that uses it with Redis.

TLS protects data on the wire; the server still sees plaintext. Client-side encryption
keeps values encrypted in Redis itself (data in use and at rest), at the price of every
server-side operation on them. The wizard only makes the key and shows how to use it:
the key never enters the state file, and the example is the code the tests run.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import WizardError
from .files import FileReadError, make_private_folder, read_bounded, write_new_file

DATA_KEY_BYTES = 32
"""AES-256: 32 random bytes."""

DATA_KEY_MODE = 0o600
DEFAULT_DATA_KEY_FILE = "keys/data.key"

PROTECTS = (
    "Values are encrypted before they leave the application: the server, its "
    "persistence files, backups and replicas only ever hold ciphertext.",
    "Someone with access to the server (an operator, a stolen RDB/AOF file) cannot read "
    "them without the data key, which stays with the application.",
)

STOPS_WORKING = (
    ("Increments", "INCR, INCRBY, HINCRBY... cannot add to a number they cannot read."),
    ("Comparisons", "sorted-set scores, range queries and equality on values see only bytes."),
    ("Searches", "search and query indexes, SCAN MATCH on values and Lua over values."),
)

KEYS_STAY_PLAIN = "Key names stay in plaintext: do not put secrets in them."

NONCE_BYTES = 12
TAG_BYTES = 16
VALUE_OVERHEAD = NONCE_BYTES + TAG_BYTES
"""What the example adds to every value: its nonce, then AES-GCM's authentication tag."""

STAYS_VISIBLE = (
    ("Sizes", f"each stored value is its plaintext's length plus {VALUE_OVERHEAD} bytes."),
    ("Access", "which keys are read and written, and when, is seen by the server."),
    (
        "Bound to its key",
        "the example authenticates the key name with the value: a value copied to another "
        "key fails to decrypt.",
    ),
)
"""What the encryption leaves visible, and what the example's associated data adds."""


def generate_data_key_file(path: str | os.PathLike[str]) -> Path:
    """Write a new random 256-bit data key to `path` (mode 0600); refuse to overwrite.

    Overwriting a data key would make every value encrypted with it unreadable forever,
    so an existing file is an error, never replaced. The write is atomic: a crash leaves
    no file or the whole key, never a truncated one.
    """
    path = Path(path)
    if path.exists():
        raise WizardError(
            f"{path} already exists; it was not overwritten (values encrypted with it "
            "would become unreadable): choose another file name"
        )
    folder = path.parent
    if not folder.exists():
        try:
            make_private_folder(folder)
        except OSError as error:
            raise WizardError(f"{folder}: cannot create the folder ({error.strerror})") from None
    if not folder.is_dir():
        raise WizardError(f"{folder} is not a folder")
    key = AESGCM.generate_key(bit_length=DATA_KEY_BYTES * 8)
    try:
        created = write_new_file(path, key, DATA_KEY_MODE)
    except OSError as error:
        raise WizardError(f"{path}: cannot write the key ({error.strerror})") from None
    if not created:
        raise WizardError(f"{path} already exists; it was not overwritten")
    return path


def load_data_key(path: str | os.PathLike[str]) -> bytes:
    """Read a data key file and check that it holds exactly 32 bytes."""
    path = Path(path)
    try:
        key = read_bounded(path, limit=DATA_KEY_BYTES, what="data key file")
    except FileReadError as error:
        raise WizardError(f"cannot read the data key: {error}") from None
    if len(key) != DATA_KEY_BYTES:
        raise WizardError(
            f"{path} holds {len(key)} bytes, not a {DATA_KEY_BYTES}-byte AES-256 data key"
        )
    return key


def python_example(
    key_file: str = DEFAULT_DATA_KEY_FILE,
    host: str = "localhost",
    port: int = 12000,
    *,
    tls: bool = True,
    ca_file: str = "ca.pem",
    cert_file: str | None = "client.pem",
    cert_key_file: str | None = "client.key",
) -> str:
    """A short, correct program that stores AES-GCM encrypted values in Redis.

    Each value gets a fresh 96-bit nonce (AES-GCM must never reuse one with the same key),
    stored in front of the ciphertext. The Redis key name is the associated data, so a
    value copied under another key fails to decrypt instead of being silently accepted.
    The end-to-end tests run exactly this text against a real redis-server.
    """
    options = [f'host="{host}"', f"port={port}"]
    if tls:
        options += ["ssl=True", f'ssl_ca_certs="{ca_file}"']
        if cert_file and cert_key_file:
            options += [f'ssl_certfile="{cert_file}"', f'ssl_keyfile="{cert_key_file}"']
    connect = "".join(f"    {option},\n" for option in options)
    return f'''\
import os
from pathlib import Path

import redis
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

aead = AESGCM(Path("{key_file}").read_bytes())  # 32 bytes: AES-256
r = redis.Redis(
{connect})


def put(name: str, value: bytes) -> None:
    nonce = os.urandom(12)  # fresh for every value, never reused
    r.set(name, nonce + aead.encrypt(nonce, value, name.encode()))


def get(name: str) -> bytes | None:
    blob = r.get(name)
    if blob is None:
        return None
    return aead.decrypt(blob[:12], blob[12:], name.encode())
'''
