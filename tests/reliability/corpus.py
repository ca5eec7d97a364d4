"""The bad-input corpus: everything an operator might paste or point the wizard at
instead of a certificate, and state files broken one field at a time.

Sources: cryptography-vectors (odd and malformed certificates, CSRs, OCSP blobs,
PKCS#7, PKCS#12, private keys in every serialization it ships), plus inputs made here:
truncated and mutated PEM, binary, empty, unicode, a 50 MB input, freshly generated
private keys of every format, and hostile SAN lists.
"""

from __future__ import annotations

import base64
import functools
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cryptography_vectors
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

VECTORS = Path(cryptography_vectors.__file__).resolve().parent
HUGE_SIZE = 50 * 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """One input: a name for the report, its bytes (or a file made on demand), and
    whether it holds a private key (whose bytes must never be echoed)."""

    name: str
    data: bytes
    private_key: bool = False


def _files(folder: str, *, every: int = 1) -> list[Path]:
    found = sorted(p for p in (VECTORS / folder).iterdir() if p.is_file())
    return found[::every]


def vector_entries() -> list[Entry]:
    entries = []
    groups = [
        ("x509", 1, False),
        ("x509/custom", 1, False),
        ("x509/custom/ca", 1, False),
        ("x509/ed25519", 1, False),
        ("x509/ed448", 1, False),
        ("x509/requests", 1, False),
        ("x509/ocsp", 1, False),
        ("x509/PKITS_data/certs", 10, False),
        ("pkcs7", 1, False),
        ("pkcs12", 1, False),
        ("asymmetric/PEM_Serialization", 1, True),
        ("asymmetric/DER_Serialization", 1, True),
        ("asymmetric/PKCS8", 1, True),
        ("asymmetric/Traditional_OpenSSL_Serialization", 1, True),
        ("asymmetric/OpenSSH", 1, True),
    ]
    for folder, every, keys in groups:
        for path in _files(folder, every=every):
            data = path.read_bytes()
            is_key = keys and (b"PRIVATE" in data or path.suffix in (".der", ".key"))
            is_key = is_key and not path.name.endswith((".pub", "-cert.pub"))
            entries.append(Entry(f"vectors/{folder}/{path.name}", data, is_key))
    return entries


@functools.cache
def _generated_keys() -> list[tuple[str, Any]]:
    return [
        ("rsa-2048", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        ("ec-p256", ec.generate_private_key(ec.SECP256R1())),
        ("ec-p384", ec.generate_private_key(ec.SECP384R1())),
        ("ed25519", ed25519.Ed25519PrivateKey.generate()),
        ("dsa-2048", dsa.generate_private_key(key_size=2048)),
    ]


def private_key_entries() -> list[Entry]:
    """Every key type in every serialization a tool might produce: PEM and DER, PKCS#8,
    the traditional forms, OpenSSH, encrypted and not."""
    E, F = serialization.Encoding, serialization.PrivateFormat
    plain, locked = serialization.NoEncryption(), serialization.BestAvailableEncryption(b"pw")
    entries = []
    for name, key in _generated_keys():
        variants = [(E.PEM, F.PKCS8, plain), (E.DER, F.PKCS8, plain), (E.PEM, F.PKCS8, locked)]
        if name.startswith(("rsa", "ec", "dsa")):
            variants += [(E.PEM, F.TraditionalOpenSSL, plain), (E.DER, F.TraditionalOpenSSL, plain)]
            variants += [(E.PEM, F.TraditionalOpenSSL, locked)]
        if not name.startswith("dsa"):
            variants += [(E.PEM, F.OpenSSH, plain)]  # encrypted ones: the vectors' *-psw.key
        for encoding, form, encryption in variants:
            data = key.private_bytes(encoding, form, encryption)
            label = f"{str(encoding).split('.')[-1]}-{str(form).split('.')[-1]}{'-encrypted' if encryption is locked else ''}"
            entries.append(Entry(f"key/{name}/{label}", data, True))
    putty = b"PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nComment: k\nPublic-Lines: 1\nAAAA\n"
    entries.append(Entry("key/putty", putty, True))
    return entries


def _sample_pem() -> bytes:
    return (VECTORS / "x509" / "cryptography.io.pem").read_bytes()


def made_entries(client_pem: bytes, client_key_pem: bytes) -> list[Entry]:
    """Inputs made by hand: damaged PEM, binary, empty, unicode, mixed with keys."""
    rng = random.Random(2026)
    pem = client_pem
    entries: list[Entry] = []
    for cut in (
        1,
        10,
        27,
        28,
        40,
        64,
        100,
        len(pem) // 2,
        len(pem) - 30,
        len(pem) - 26,
        len(pem) - 2,
    ):
        entries.append(Entry(f"truncated/at-{cut}", pem[:cut]))
    body_start = pem.index(b"\n") + 1
    body_end = pem.rindex(b"-----END")
    for index in range(24):
        data = bytearray(pem)
        at = rng.randrange(body_start, body_end)
        if index % 4 == 0:
            data[at] = ord(rng.choice("!@#$%^&*()_"))  # a character base64 has not
        elif index % 4 == 1:
            data[at] = ord(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))  # valid base64, wrong DER
        elif index % 4 == 2:
            del data[at : at + rng.randrange(1, 60)]
        else:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
        entries.append(Entry(f"mutated/{index}", bytes(data)))
    lines = pem.split(b"\n")
    entries += [
        Entry("mutated/lines-swapped", b"\n".join([lines[0], lines[2], lines[1], *lines[3:]])),
        Entry("mutated/end-label", pem.replace(b"END CERTIFICATE", b"END CERTIFICAT")),
        Entry("mutated/begin-only", pem.split(b"-----END")[0]),
        Entry("mutated/end-only", b"-----END CERTIFICATE-----\n"),
        Entry("mutated/label-lowercase", pem.replace(b"CERTIFICATE", b"certificate")),
        Entry("mutated/nested-begin", pem.replace(b"\n", b"\n-----BEGIN CERTIFICATE-----\n", 1)),
        Entry("mutated/der-of-pem-base64", base64.b64decode(b"".join(lines[1:-2]))[:-5]),
        Entry("mutated/double-base64", base64.encodebytes(pem)),
        Entry("mixed/cert-then-key", pem + client_key_pem, True),
        Entry("mixed/key-then-cert", client_key_pem + pem, True),
        Entry("mixed/key-inside-text", b"here you go:\n" + client_key_pem + b"\nthanks", True),
        Entry(
            "mixed/key-indented",
            b"".join(b"    " + line + b"\n" for line in client_key_pem.splitlines()),
            True,
        ),
        Entry("mixed/key-crlf", client_key_pem.replace(b"\n", b"\r\n"), True),
        Entry("mixed/key-begin-truncated", client_key_pem[: len(client_key_pem) // 2], True),
    ]
    entries += [
        Entry("empty/nothing", b""),
        Entry("empty/spaces", b"   \n\t \n"),
        Entry("empty/nul", b"\x00"),
        Entry("binary/random-1k", bytes(rng.randrange(256) for _ in range(1024))),
        Entry("binary/zeros", bytes(4096)),
        Entry("binary/elf", b"\x7fELF\x02\x01\x01" + bytes(200)),
        Entry("binary/gzip", b"\x1f\x8b\x08\x00" + bytes(rng.randrange(256) for _ in range(300))),
        Entry("binary/asn1-sequence-bomb", b"\x30\x84\xff\xff\xff\xff" + bytes(20)),
        Entry("binary/asn1-deep-nesting", b"\x30\x80" * 5000),
        Entry("binary/high-bytes", bytes(range(128, 256)) * 8),
        Entry("unicode/bom-pem", b"\xef\xbb\xbf" + pem),
        Entry("unicode/utf16-pem", pem.decode().encode("utf-16")),
        Entry("unicode/zero-width-in-base64", pem.replace(b"\n", "\u200b\n".encode(), 3)),
        Entry("unicode/rtl-override", "\u202e-----BEGIN CERTIFICATE-----\n".encode() + pem),
        Entry("unicode/emoji", "🔐🔑 certificate 🔐\n".encode() * 20),
        Entry("unicode/cyrillic-label", pem.replace(b"CERTIFICATE", "\u0421ERTIFICATE".encode())),
        Entry("unicode/invalid-utf8", b"\xff\xfe\xfd" + pem[3:]),
        Entry("unicode/lone-surrogates", "\ud800".encode("utf-8", "surrogatepass") * 10),
        Entry("unicode/fullwidth-dashes", pem.replace(b"-----", ("\uff0d" * 5).encode())),
        Entry("text/ssh-public-key", b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample user@host\n"),
        Entry("text/json", b'{"certificate": "MIIB..."}'),
        Entry(
            "text/yaml-indented-pem",
            b"cert: |\n" + b"".join(b"  " + line + b"\n" for line in pem.splitlines()),
        ),
        Entry("text/many-blocks-junk", b"-----BEGIN X-----\n-----END X-----\n" * 500),
        Entry("text/long-line", b"A" * 2_000_000),
    ]
    return entries


def huge_file(folder: Path) -> Path:
    """A 50 MB input: certificates repeated, so nothing short-circuits on the first bytes."""
    path = folder / "huge-50MB.pem"
    if not path.exists():
        block = _sample_pem()
        with path.open("wb") as handle:
            written = 0
            while written < HUGE_SIZE:
                handle.write(block)
                written += len(block)
    return path


HOSTILE_SAN_LISTS: list[str] = [
    "",
    ",",
    " , , ",
    "a.example.com,,b.example.com",
    "*.*.example.com",
    "exa mple.com",
    "ex\x00ample.com",
    "app.example.com\nevil.example.com",
    "\u0430pp.example.com",  # Cyrillic a
    "🔥.example.com",
    "x" * 64 + ".example.com",
    ".".join(["a"] * 200),
    ",".join(f"n{i}.example.com" for i in range(5000)),
    "../../etc/passwd",
    "$(rm -rf /)",
    "`id`",
    "'; DROP TABLE databases; --",
    "-leading.example.com",
    "trailing-.example.com",
    "999.1.1.1",
    "[::1]",
    "http://",
    "mailto:",
    "xn--zz.example.com",
    "app.example.com,APP.EXAMPLE.COM",
    "*",
    "*.com",
    "a..b.example.com",
    "\u202eevil.com",
    "%s%s%s%n",
    "{{7*7}}",
    "app.example.com" + "\t",
]
