"""Reading whatever was pasted: PEM (any number of blocks, any text around them), DER,
PKCS#7, and naming everything that is not a certificate.

``read`` never raises: the screens call it on every paste and fuzzing feeds it garbage.
Anything it cannot use becomes a ``Finding``. Private keys are recognised from their PEM
label or DER structure and reported by kind only: their bytes are never copied into an
item, a finding or an exception.
"""

from __future__ import annotations

import base64
import binascii
import re
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ..findings import Finding, Severity
from . import der as asn1
from .chain import chain_order
from .describe import describe, key_description
from .errors import CertificateInputError
from .info import CertificateInfo, Item, ReadResult

MAX_INPUT_BYTES = 1024 * 1024
MAX_ITEMS = 1000  # a trusted list of a thousand certificates is already absurd

_MARKER = re.compile(r"-----(BEGIN|END) ([^\n]{0,80}?)-----")
_CERTIFICATE_LABELS = {"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"}
_PKCS7_LABELS = {"PKCS7", "PKCS #7 SIGNED DATA", "CMS"}
_CSR_LABELS = {"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"}
_CRL_LABELS = {"X509 CRL"}
_SSH_PUBLIC = re.compile(r"^(ssh-(rsa|dss|ed25519|ed448)|ecdsa-sha2-\S+|sk-\S+)\s+AAAA", re.M)
_BASE64_ONLY = re.compile(r"[A-Za-z0-9+/]+={0,2}")

_PASTE_CERTIFICATE = "paste the certificate (-----BEGIN CERTIFICATE-----)"


class _TooManyItems(Exception):
    pass


class _Collector:
    """Items and findings in input order; findings name items as "item N" (1-based)."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.findings: list[Finding] = []

    def add(self, kind: str, label: str, certificate: CertificateInfo | None = None) -> int:
        if len(self.items) >= MAX_ITEMS:
            raise _TooManyItems
        self.items.append(Item(kind=kind, certificate=certificate, label=label))
        return len(self.items)

    def note(self, severity: Severity, code: str, message: str, number: int | None) -> None:
        where = f"item {number}" if number is not None else "input"
        self.findings.append(Finding(severity, code, message, where))

    def result(self) -> ReadResult:
        return ReadResult(items=self.items, findings=self.findings)


def _is_panic(error: BaseException) -> bool:
    """pyo3's PanicException derives from BaseException; a Rust panic must not escape."""
    return type(error).__name__ == "PanicException"


def _attempt(load: Callable[[], object]) -> object | None:
    try:
        return load()
    except Exception:
        return None
    except BaseException as error:
        if _is_panic(error):
            return None
        raise


def _as_bytes(data: bytes | str | bytearray | memoryview) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8", "surrogatepass")
    return bytes(data)


def _strip_bom(raw: bytes) -> bytes:
    """Editors on Windows save a UTF-8 BOM, or UTF-16 text; both are still PEM inside."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:]
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        decoded = _attempt(lambda: raw.decode("utf-16"))
        if isinstance(decoded, str):
            return decoded.encode("utf-8", "replace")
    return raw


def read(data: bytes | str) -> ReadResult:
    """Everything in ``data``, in order, with reader-level findings. Never raises."""
    collector = _Collector()
    try:
        with warnings.catch_warnings():  # cryptography warns about odd encodings; the
            warnings.simplefilter("ignore")  # findings say what matters, stderr stays clean
            _read_into(collector, data)
    except _TooManyItems:
        collector.note(
            "error",
            "too-large",
            f"the input holds more than {MAX_ITEMS} items; only the first {MAX_ITEMS} were "
            "read: give fewer certificates at a time",
            None,
        )
    except Exception:
        collector.note("error", "malformed", "the input could not be read; paste it again", None)
    except BaseException as error:
        if not _is_panic(error):
            raise
        collector.note("error", "malformed", "the input could not be read; paste it again", None)
    return collector.result()


def _read_into(out: _Collector, data: bytes | str) -> None:
    raw = _as_bytes(data)
    if len(raw) > MAX_INPUT_BYTES:
        out.note(
            "error",
            "too-large",
            f"the input is {len(raw):,} bytes, over the 1 MiB limit; a certificate bundle is "
            "a few kilobytes: give only the certificates",
            None,
        )
        return
    raw = _strip_bom(raw)
    if not raw.strip():
        out.note("error", "empty", f"the input is empty: {_PASTE_CERTIFICATE}", None)
        return
    if b"-----BEGIN " in raw:
        _read_pem(out, raw.decode("latin-1"))
    elif raw[:1] == b"\x30":
        _read_der(out, raw, "DER")
    else:
        _read_text(out, raw)
    if not out.items and not out.findings:
        number = out.add("unknown", "no certificate")
        out.note(
            "error", "not-a-certificate", f"no certificate found: {_PASTE_CERTIFICATE}", number
        )


# --- PEM ---------------------------------------------------------------------------------


def _printable(label: str) -> str:
    return "".join(c if 32 <= ord(c) < 127 else "?" for c in label)[:40]


def _read_pem(out: _Collector, text: str) -> None:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\\n" in text:  # PEM copied out of JSON (the REST API's "client_cert": "-----BEGIN...\n")
        text = text.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\/", "/")
    markers = list(_MARKER.finditer(text))
    found_block = False
    index = 0
    while index < len(markers):
        begin = markers[index]
        if begin.group(1) != "BEGIN":
            index += 1
            continue
        label = _printable(begin.group(2).strip())
        end = markers[index + 1] if index + 1 < len(markers) else None
        found_block = True
        if end is None or end.group(1) != "END":
            _truncated(out, label)
            index += 1
            continue
        if _printable(end.group(2).strip()) != label:
            number = out.add(_kind_of_label(label), f"PEM block {label} (mismatched END line)")
            out.note(
                "error",
                "malformed",
                f"the {label} block ends with -----END "
                f"{_printable(end.group(2).strip())}-----; copy the whole block again",
                number,
            )
            index += 2
            continue
        _pem_block(out, label, text[begin.end() : end.start()])
        index += 2
    if not found_block:
        _read_text(out, text.encode("latin-1"))


def _kind_of_label(label: str) -> str:
    if "PRIVATE KEY" in label:
        return "private-key"
    if label in _CERTIFICATE_LABELS or label in _PKCS7_LABELS:
        return "certificate"
    if label in _CSR_LABELS:
        return "csr"
    if "PUBLIC KEY" in label:
        return "public-key"
    if label in _CRL_LABELS:
        return "crl"
    return "unknown"


def _truncated(out: _Collector, label: str) -> None:
    kind = _kind_of_label(label)
    if kind == "private-key":
        _private_key(out, "private key (an incomplete PEM block)")
        return
    number = out.add(kind, f"incomplete PEM block {label}")
    out.note(
        "error",
        "malformed",
        f"the {label} block has no -----END {label}----- line, so the paste "
        "was cut short; copy the whole block",
        number,
    )


def _pem_body(body: str) -> tuple[bytes | None, list[str]]:
    """The DER inside a block and its RFC 1421 headers (``Proc-Type: 4,ENCRYPTED``...).

    Lines are stripped, so indented blocks (YAML, e-mail quotes) still read; base64 has
    no ``:``, so any line with one is a header.
    """
    lines = [line.strip() for line in body.split("\n")]
    headers = [line for line in lines if ":" in line]
    payload = "".join("".join(line.split()) for line in lines if ":" not in line)
    if not payload:
        return None, headers
    try:
        return base64.b64decode(payload, validate=True), headers
    except (binascii.Error, ValueError):
        return None, headers


def _pem_block(out: _Collector, label: str, body: str) -> None:
    kind = _kind_of_label(label)
    der, headers = _pem_body(body)
    if kind == "private-key":
        _private_key(out, _private_key_label(label, der, headers))
        return
    if der is None:
        number = out.add(kind, f"damaged PEM block {label}")
        out.note(
            "error",
            "malformed",
            f"the base64 text inside the {label} block is damaged (lines "
            "missing or changed); copy the block again",
            number,
        )
        return
    if label in _CERTIFICATE_LABELS:
        payload = asn1.first_tlv(der) if label == "TRUSTED CERTIFICATE" else der
        _certificate(out, payload or der, f"PEM {label}")
    elif label in _PKCS7_LABELS:
        _pkcs7(out, der)
    else:
        _classify_der(out, der, f"PEM {label}", expected=kind)


def _private_key_label(label: str, der: bytes | None, headers: list[str]) -> str:
    legacy_encrypted = any("ENCRYPTED" in h.upper() for h in headers)
    names = {
        "RSA PRIVATE KEY": "RSA private key (PKCS#1)",
        "EC PRIVATE KEY": "EC private key (SEC1)",
        "DSA PRIVATE KEY": "DSA private key",
        "ENCRYPTED PRIVATE KEY": "encrypted private key (PKCS#8)",
        "OPENSSH PRIVATE KEY": "OpenSSH private key",
    }
    if label == "PRIVATE KEY":
        key_type = _private_key_type(der) if der else None
        name = f"{key_type} private key (PKCS#8)" if key_type else "private key (PKCS#8)"
    else:
        name = names.get(label, f"private key (PEM {label})")
    if legacy_encrypted:
        name = f"encrypted {name}, legacy PEM encryption"
    return name


def _private_key_type(der: bytes) -> str | None:
    key = _attempt(
        lambda: serialization.load_der_private_key(
            der, password=None, unsafe_skip_rsa_key_validation=True
        )
    )
    return key_description(key).algorithm if key is not None else None


def _private_key(out: _Collector, label: str) -> None:
    number = out.add("private-key", label)
    out.note(
        "error",
        "private-key",
        f"{_an(label)} was found: it was not stored and is never shown; "
        f"{_PASTE_CERTIFICATE} instead and keep the key in a file of its own (mode 0600)",
        number,
    )


# --- DER and the kinds that are not certificates -----------------------------------------


def _read_der(out: _Collector, raw: bytes, via: str) -> None:
    parts = asn1.split_concatenated(raw) or [raw]
    for part in parts:
        _classify_der(out, part, via)


def _certificate(out: _Collector, der: bytes, via: str) -> bool:
    cert = _attempt(lambda: x509.load_der_x509_certificate(der))
    if not isinstance(cert, x509.Certificate):
        number = out.add("certificate", f"unreadable certificate ({via})")
        out.note(
            "error",
            "malformed",
            "the certificate could not be read (its DER structure is not a "
            "valid X.509 certificate); copy it again from the source, whole and unchanged",
            number,
        )
        return False
    _add_certificate(out, cert, via)
    return True


def _add_certificate(out: _Collector, cert: x509.Certificate, via: str) -> None:
    info = _attempt(lambda: describe(cert))
    if not isinstance(info, CertificateInfo):
        number = out.add("certificate", f"unreadable certificate ({via})")
        out.note(
            "error",
            "malformed",
            "the certificate loaded but could not be described; copy it again from the source",
            number,
        )
        return
    number = out.add("certificate", f"certificate {info.label}", info)
    if info.unreadable:
        out.note(
            "warning",
            "malformed",
            f"{', '.join(f.replace('_', ' ') for f in info.unreadable)} could "
            "not be read (non-standard encoding); the rest is described",
            number,
        )


def _pkcs7(out: _Collector, der: bytes) -> None:
    # Imported here: it pulls in the e-mail package (S/MIME), ~10 ms that every PEM-only
    # `tls-wizard inspect` paid before reading a byte.
    from cryptography.hazmat.primitives.serialization import pkcs7

    try:
        certs: object = pkcs7.load_der_pkcs7_certificates(der)
    except ValueError as error:  # cryptography's way of saying "a bundle with no certificate"
        certs = [] if "no certificate" in str(error) else None
    except Exception:
        certs = None
    if not isinstance(certs, list):
        number = out.add("unknown", "unreadable PKCS#7 bundle")
        out.note(
            "error",
            "malformed",
            "the PKCS#7 bundle could not be read; export the certificates as "
            "PEM (openssl pkcs7 -print_certs -in FILE) and paste those",
            number,
        )
        return
    if not certs:  # e.g. `openssl crl2pkcs7 -nocrl` without -certfile
        _not_a_certificate(
            out,
            "unknown",
            "PKCS#7 bundle without certificates",
            "a PKCS#7 bundle that holds no certificate",
            _PASTE_CERTIFICATE,
        )
        return
    # PKCS#7 keeps certificates in a DER SET, sorted by their bytes: the order means
    # nothing, so they are put leaf -> root when they form one chain.
    described = [_attempt(partial(describe, cert)) for cert in certs]
    infos = [info for info in described if isinstance(info, CertificateInfo)]
    order = chain_order(infos) if len(infos) == len(certs) else None
    for index in order or range(len(certs)):
        _add_certificate(out, certs[index], "PKCS#7")


def _not_a_certificate(out: _Collector, kind: str, label: str, what: str, advice: str) -> None:
    """``label`` names the item; ``what`` is the same with an article, for the message."""
    number = out.add(kind, label)
    out.note("error", "not-a-certificate", f"this is {what}, not a certificate: {advice}", number)


def _an(words: str) -> str:
    """The indefinite article as the words are read out: "an RSA key", "a PKCS#12 bundle"."""
    return f"an {words}" if words[:1] in tuple("aeiouAEIORSX") else f"a {words}"


def _csr_label(csr: x509.CertificateSigningRequest) -> str:
    subject = _attempt(lambda: csr.subject.rfc4514_string())
    return f"certificate signing request (CSR) for {subject}" if subject else "CSR"


def _classify_der(out: _Collector, der: bytes, via: str, expected: str | None = None) -> None:
    """Name one DER structure: the loaders are tried from most to least likely."""
    if asn1.looks_like_pkcs12(der):
        _not_a_certificate(
            out,
            "pkcs12",
            "PKCS#12 bundle (.p12/.pfx)",
            "a PKCS#12 bundle (.p12/.pfx)",
            "it needs its password and may hold a private key, and only certificates are "
            "wanted: run `openssl pkcs12 -in FILE -nokeys -out cert.pem` and give cert.pem",
        )
        return
    if expected in (None, "certificate"):
        cert = _attempt(lambda: x509.load_der_x509_certificate(der))
        if isinstance(cert, x509.Certificate):
            _add_certificate(out, cert, via)
            return
    if asn1.looks_like_pkcs7(der):
        _pkcs7(out, der)
        return
    csr = _attempt(lambda: x509.load_der_x509_csr(der))
    if isinstance(csr, x509.CertificateSigningRequest):
        _not_a_certificate(
            out,
            "csr",
            _csr_label(csr),
            f"a {_csr_label(csr)}",
            "have your CA sign it and give the certificate it returns",
        )
        return
    if _attempt(lambda: x509.load_der_x509_crl(der)) is not None:
        _not_a_certificate(
            out,
            "crl",
            "certificate revocation list (CRL)",
            "a certificate revocation list (CRL)",
            _PASTE_CERTIFICATE,
        )
        return
    public = _attempt(lambda: serialization.load_der_public_key(der))
    if public is not None:
        _not_a_certificate(
            out,
            "public-key",
            f"{key_description(public).algorithm} public key",
            _an(f"{key_description(public).algorithm} public key"),
            "give the certificate that holds it",
        )
        return
    if _looks_like_private_key(der):
        _private_key(out, f"{_der_key_label(der)} ({via})")
        return
    if expected not in (None, "unknown"):
        number = out.add(expected, f"unreadable {via} block")
        out.note(
            "error",
            "malformed",
            f"the {via} block could not be read; copy it again",
            number,
        )
    elif asn1.looks_like_signed_object(der):
        number = out.add("unknown", f"unreadable signed X.509 structure ({via})")
        out.note(
            "error",
            "malformed",
            "it looks like a certificate, CSR or CRL but could not be read; "
            "copy it again from the source, whole and unchanged",
            number,
        )
    else:
        _not_a_certificate(
            out, "unknown", f"{via} data of an unknown kind", f"{via} data", _PASTE_CERTIFICATE
        )


def _looks_like_private_key(der: bytes) -> bool:
    try:
        serialization.load_der_private_key(der, password=None, unsafe_skip_rsa_key_validation=True)
    except TypeError:
        return True  # encrypted: cryptography asks for the password
    except Exception:
        return False
    except BaseException as error:
        if _is_panic(error):
            return False
        raise
    return True


def _der_key_label(der: bytes) -> str:
    key_type = _private_key_type(der)
    return f"{key_type} private key" if key_type else "encrypted private key"


def _read_text(out: _Collector, raw: bytes) -> None:
    text = raw.decode("utf-8", "replace")
    if _SSH_PUBLIC.search(text):
        _not_a_certificate(
            out,
            "public-key",
            "OpenSSH public key",
            "an OpenSSH public key",
            "SSH keys are not X.509 certificates; give the TLS certificate",
        )
        return
    if "PuTTY-User-Key-File" in text:
        _private_key(out, "PuTTY private key")
        return
    compact = "".join(text.split())
    if len(compact) >= 16 and _BASE64_ONLY.fullmatch(compact):
        decoded = _attempt(lambda: base64.b64decode(compact, validate=True))
        if isinstance(decoded, bytes) and decoded[:1] == b"\x30":
            _read_der(out, decoded, "base64 DER without PEM lines")
            return
    printable = sum(1 for c in text if c.isprintable() or c in "\n\t")
    what = "text without any PEM block" if printable >= 0.9 * len(text) else "binary data"
    _not_a_certificate(out, "unknown", what, what, _PASTE_CERTIFICATE)


# --- strict readers for "add a certificate" ----------------------------------------------


_REFUSAL_ORDER = ("too-large", "empty", "private-key", "not-a-certificate", "malformed")


def read_certificates(data: bytes | str) -> list[CertificateInfo]:
    """The certificates in ``data``, or ``CertificateInputError`` if anything else is there.

    Used where a certificate is being added: a private key, a CSR, a damaged block or an
    empty paste is refused as a whole rather than half-accepted.
    """
    result = read(data)
    refusals = [f for f in result.findings if f.severity == "error"]
    for code in _REFUSAL_ORDER:
        for finding in refusals:
            if finding.code == code:
                raise CertificateInputError(_refusal_message(finding, result))
    if not result.certificates:
        raise CertificateInputError(f"no certificate found: {_PASTE_CERTIFICATE}")
    return result.certificates


def _refusal_message(finding: Finding, result: ReadResult) -> str:
    if finding.code == "private-key":
        label = next(item.label for item in result.items if item.kind == "private-key")
        return (
            f"a private key was pasted ({label}); it was not stored. Give only the "
            "certificate (-----BEGIN CERTIFICATE-----) and keep the key in a file of its own"
        )
    if len(result.items) > 1 and finding.where != "input":
        return f"{finding.where}: {finding.message}"
    return finding.message


def read_bytes_limited(path: str | Path) -> bytes:
    """A certificate file's bytes through the one bounded reader (regular files only,
    never blocking on a FIFO or device), at most one byte over the input limit (so
    ``read`` reports the size as a finding)."""
    from ..files import FileReadError, read_bounded  # state.files: no cryptography there

    try:
        return read_bounded(path, limit=MAX_INPUT_BYTES, what="certificate file", cut_at_limit=True)
    except FileReadError as error:
        worded = {
            "missing": f"{path}: no such file; check the path",
            "folder": f"{path}: is a directory; give a certificate file",
        }
        raise CertificateInputError(worded.get(error.reason, str(error))) from None


def read_certificate_file(path: str | Path) -> list[CertificateInfo]:
    """``read_certificates`` on a file; every message names the file."""
    data = read_bytes_limited(path)
    try:
        return read_certificates(data)
    except CertificateInputError as error:
        raise CertificateInputError(f"{path}: {error}") from None
