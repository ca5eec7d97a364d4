"""Loading a private key file and matching it to a certificate.

Only ``load_private_key`` ever parses key material on purpose (the proxy and syncer key
files that go with their certificates). Its errors say what is wrong in fixed words:
nothing read from the key reaches a message, an exception chain or a log.
"""

from __future__ import annotations

import base64
import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

from .describe import load_pem
from .errors import CertificateInputError
from .info import CertificateInfo
from .reader import MAX_INPUT_BYTES, read

_KEY_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----.*?-----END \1-----", re.DOTALL)


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)


def _encrypted(source: str) -> CertificateInputError:
    return CertificateInputError(
        f"{source}: the private key is protected by a passphrase, and the server needs a key "
        "without one: decrypt it with `openssl pkey -in KEY -out KEY.plain` and give that "
        "file (mode 0600)"
    )


def _not_a_key(source: str, data: bytes) -> CertificateInputError:
    result = read(data)
    kinds = sorted({item.kind for item in result.items} - {"private-key"})
    what = f"holds {', '.join(kinds)}" if kinds else "holds no private key"
    return CertificateInputError(
        f"{source}: {what}, not a private key; give the key file "
        "(-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)"
    )


def _openssh_encrypted(block: bytes) -> bool:
    """openssh-key-v1 names its cipher up front ("none" when plain); reading that needs no
    bcrypt, which cryptography wants before it even says the key is encrypted."""
    body = b"".join(line.strip() for line in block.split(b"\n")[1:-1])
    try:
        blob = base64.b64decode(body)
    except ValueError:
        return False
    magic = b"openssh-key-v1\x00"
    if not blob.startswith(magic) or len(blob) < len(magic) + 4:
        return False
    size = int.from_bytes(blob[len(magic) : len(magic) + 4], "big")
    cipher = blob[len(magic) + 4 : len(magic) + 4 + size]
    return cipher != b"none"


def load_private_key(data: bytes | str, source: str = "key") -> PrivateKeyTypes:
    """The first private key in ``data`` (PEM of any type, OpenSSH, or DER).

    Raises ``CertificateInputError`` for anything else, naming ``source``; an encrypted
    key is refused because Redis and rladmin need a passphrase-less key file.
    """
    raw = _as_bytes(data)
    if len(raw) > MAX_INPUT_BYTES:
        raise CertificateInputError(f"{source}: over 1 MiB; a private key file is a few kilobytes")
    if raw[:1] == b"\x30":
        # DER is binary: normalising line ends would corrupt any 0x0d 0x0a inside it.
        return _load(raw, source, "DER")
    raw = raw.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n")
    match = _KEY_BLOCK.search(raw)
    if match is None:
        raise _not_a_key(source, raw)
    block = match.group(0)
    label = match.group(1).decode("ascii")
    if label == "ENCRYPTED PRIVATE KEY" or b"ENCRYPTED" in block.split(b"\n\n")[0][:200]:
        raise _encrypted(source)
    if label == "OPENSSH PRIVATE KEY":
        if _openssh_encrypted(block):
            raise _encrypted(source)
        return _load(block, source, "OpenSSH")
    lines = [line.strip() for line in block.split(b"\n")]
    return _load(b"\n".join(line for line in lines if line), source, "PEM")


def _load(blob: bytes, source: str, form: str) -> PrivateKeyTypes:
    loaders = {
        "PEM": serialization.load_pem_private_key,
        "DER": serialization.load_der_private_key,
        "OpenSSH": serialization.load_ssh_private_key,
    }
    try:
        return loaders[form](blob, password=None)
    except TypeError:
        error = _encrypted(source)
    except Exception:
        error = CertificateInputError(
            f"{source}: the private key could not be read (damaged, or a type the server "
            "does not use); give an RSA or EC key in PEM form"
        )
    except BaseException as panic:
        if type(panic).__name__ != "PanicException":
            raise
        error = CertificateInputError(f"{source}: the private key could not be read")
    raise error


def _spki(public_key: PublicKeyTypes) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_matches(certificate: CertificateInfo, key: PrivateKeyTypes) -> bool:
    """True when ``key`` is the private half of the certificate's public key."""
    try:
        return _spki(load_pem(certificate.pem).public_key()) == _spki(key.public_key())
    except Exception:
        return False
