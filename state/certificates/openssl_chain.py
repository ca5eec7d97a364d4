"""OpenSSL's own chain check (``X509_verify_cert``), called in the libcrypto Python's ``ssl``
module runs on.

Why this library and not an emulation: the question is "would a redis-server accept this
client?", and a redis-server answers it with ``X509_verify_cert`` from the system OpenSSL
(the same libcrypto Python's ``ssl`` module and the ``openssl`` command load). Calling it
gives OpenSSL's answer on every corner a rewrite would miss (name constraints on the
subject, critical extensions, which path it builds, the notAfter second). pyOpenSSL and
cryptography's bindings do not expose ``X509_VERIFY_PARAM_set_auth_level`` (the security
level check) and ship their own OpenSSL build, so the library is reached with ctypes.

The check is set up as a TLS server sets it up for its client (``ssl_verify_cert_chain``):
the ``ssl_client`` defaults (purpose and trust sslclient), the security level as the
authentication level, no partial chains, no strict flags; the trusted store holds exactly the
database's trusted certificates and the untrusted list what the client sends.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

SECURITY_LEVEL = 2
"""Debian's OpenSSL default (and so a redis-server's unless its ciphers lower it)."""

_P = ctypes.c_void_p
PYTHON_OPENSSL = ssl.OPENSSL_VERSION
"""Importing ``ssl`` loads the libcrypto found below; its version, for comparison."""


@dataclass(frozen=True)
class ChainResult:
    """What ``X509_verify_cert`` said: the chain it built (DER SHA-256s, leaf -> root) on
    success, else the error code, its name, OpenSSL's own text, and the failing depth."""

    ok: bool
    chain: tuple[str, ...] = ()
    error: int = 0
    error_name: str = "X509_V_OK"
    error_text: str = ""
    depth: int = -1
    failing: str = ""  # SHA-256 of the certificate the error is about, when known
    library: str = ""


class OpenSSLUnavailable(RuntimeError):
    """No libcrypto with the needed functions could be loaded."""


def _library_path() -> str:
    """The libcrypto this process already uses (loaded by ``ssl``), else the linker's."""
    try:
        with open("/proc/self/maps", encoding="ascii", errors="replace") as maps:
            for line in maps:
                path = line.split()[-1]
                if "/libcrypto.so" in path:
                    return path
    except OSError:
        pass
    import ctypes.util

    found = ctypes.util.find_library("crypto")
    if not found:
        raise OpenSSLUnavailable("OpenSSL's libcrypto was not found")
    return found


_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "OpenSSL_version": (ctypes.c_char_p, [ctypes.c_int]),
    "d2i_X509": (_P, [_P, ctypes.POINTER(ctypes.c_char_p), ctypes.c_long]),
    "i2d_X509": (ctypes.c_int, [_P, ctypes.POINTER(ctypes.c_void_p)]),
    "X509_free": (None, [_P]),
    "X509_STORE_new": (_P, []),
    "X509_STORE_free": (None, [_P]),
    "X509_STORE_add_cert": (ctypes.c_int, [_P, _P]),
    "X509_STORE_CTX_new": (_P, []),
    "X509_STORE_CTX_free": (None, [_P]),
    "X509_STORE_CTX_init": (ctypes.c_int, [_P, _P, _P, _P]),
    "X509_STORE_CTX_set_default": (ctypes.c_int, [_P, ctypes.c_char_p]),
    "X509_STORE_CTX_get0_param": (_P, [_P]),
    "X509_VERIFY_PARAM_set_auth_level": (None, [_P, ctypes.c_int]),
    "X509_VERIFY_PARAM_set_time": (None, [_P, ctypes.c_int64]),
    "X509_verify_cert": (ctypes.c_int, [_P]),
    "X509_STORE_CTX_get_error": (ctypes.c_int, [_P]),
    "X509_STORE_CTX_get_error_depth": (ctypes.c_int, [_P]),
    "X509_STORE_CTX_get_current_cert": (_P, [_P]),
    "X509_STORE_CTX_get0_chain": (_P, [_P]),
    "X509_verify_cert_error_string": (ctypes.c_char_p, [ctypes.c_long]),
    "OPENSSL_sk_new_null": (_P, []),
    "OPENSSL_sk_push": (ctypes.c_int, [_P, _P]),
    "OPENSSL_sk_num": (ctypes.c_int, [_P]),
    "OPENSSL_sk_value": (_P, [_P, ctypes.c_int]),
    "OPENSSL_sk_free": (None, [_P]),
    "ERR_clear_error": (None, []),
}


@functools.cache
def _lib() -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL(_library_path())
        for name, (restype, argtypes) in _SIGNATURES.items():
            function = getattr(lib, name)
            function.restype = restype
            function.argtypes = argtypes
    except (OSError, AttributeError) as error:
        raise OpenSSLUnavailable(f"OpenSSL's libcrypto cannot be used: {error}") from error
    return lib


def library_version() -> str:
    """``OpenSSL 3.0.x ...``: the library that decides, as ``--json`` reports it."""
    return _lib().OpenSSL_version(0).decode("ascii", "replace")


def _load(lib: ctypes.CDLL, der: bytes) -> int | None:
    buffer = ctypes.c_char_p(der)
    handle = lib.d2i_X509(None, ctypes.byref(buffer), len(der))
    return handle or None


def _der(lib: ctypes.CDLL, handle: int) -> bytes:
    size = lib.i2d_X509(handle, None)
    if size <= 0:
        return b""
    out = ctypes.create_string_buffer(size)
    cursor = ctypes.c_void_p(ctypes.addressof(out))
    lib.i2d_X509(handle, ctypes.byref(cursor))
    return out.raw[:size]


def _sha256(lib: ctypes.CDLL, handle: int) -> str:
    return hashlib.sha256(_der(lib, handle)).hexdigest()


class UnreadableCertificate(ValueError):
    """OpenSSL could not parse one of the certificates (its index in the input order)."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def verify_chain(
    leaf: bytes,
    untrusted: Sequence[bytes],
    trusted: Sequence[bytes],
    at: datetime,
    *,
    security_level: int = SECURITY_LEVEL,
) -> ChainResult:
    """Run ``X509_verify_cert`` on DER certificates as a TLS server checks its client.

    Raises ``UnreadableCertificate`` (index 0 = leaf, then untrusted, then trusted) when
    OpenSSL cannot parse one, ``OpenSSLUnavailable`` when the library cannot be loaded.
    """
    lib = _lib()
    handles: list[int] = []
    store = stack = ctx = None
    try:
        for index, der in enumerate([leaf, *untrusted, *trusted]):
            handle = _load(lib, der)
            if handle is None:
                raise UnreadableCertificate(index)
            handles.append(handle)
        store = lib.X509_STORE_new()
        for handle in handles[1 + len(untrusted) :]:
            lib.X509_STORE_add_cert(store, handle)
        stack = lib.OPENSSL_sk_new_null()
        for handle in handles[1 : 1 + len(untrusted)]:
            lib.OPENSSL_sk_push(stack, handle)
        ctx = lib.X509_STORE_CTX_new()
        if not (store and stack and ctx) or not lib.X509_STORE_CTX_init(
            ctx, store, handles[0], stack
        ):
            raise MemoryError("OpenSSL could not set up the verification")
        lib.X509_STORE_CTX_set_default(ctx, b"ssl_client")
        param = lib.X509_STORE_CTX_get0_param(ctx)
        lib.X509_VERIFY_PARAM_set_auth_level(param, security_level)
        lib.X509_VERIFY_PARAM_set_time(param, int(at.timestamp()))
        ok = lib.X509_verify_cert(ctx) == 1
        library = library_version()
        if ok:
            chain = lib.X509_STORE_CTX_get0_chain(ctx)
            count = lib.OPENSSL_sk_num(chain)
            ids = tuple(_sha256(lib, lib.OPENSSL_sk_value(chain, i)) for i in range(count))
            return ChainResult(True, chain=ids, library=library)
        error = lib.X509_STORE_CTX_get_error(ctx)
        current = lib.X509_STORE_CTX_get_current_cert(ctx)
        return ChainResult(
            False,
            error=error,
            error_name=ERROR_NAMES.get(error, f"X509_V_ERR_{error}"),
            error_text=(lib.X509_verify_cert_error_string(error) or b"").decode("ascii", "replace"),
            depth=lib.X509_STORE_CTX_get_error_depth(ctx),
            failing=_sha256(lib, current) if current else "",
            library=library,
        )
    finally:
        if ctx:
            lib.X509_STORE_CTX_free(ctx)
        if stack:
            lib.OPENSSL_sk_free(stack)
        if store:
            lib.X509_STORE_free(store)
        for handle in handles:
            lib.X509_free(handle)
        lib.ERR_clear_error()


_NAMES = """
1 UNSPECIFIED;2 UNABLE_TO_GET_ISSUER_CERT;3 UNABLE_TO_GET_CRL;4 UNABLE_TO_DECRYPT_CERT_SIGNATURE;
5 UNABLE_TO_DECRYPT_CRL_SIGNATURE;6 UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY;7 CERT_SIGNATURE_FAILURE;
8 CRL_SIGNATURE_FAILURE;9 CERT_NOT_YET_VALID;10 CERT_HAS_EXPIRED;11 CRL_NOT_YET_VALID;
12 CRL_HAS_EXPIRED;13 ERROR_IN_CERT_NOT_BEFORE_FIELD;14 ERROR_IN_CERT_NOT_AFTER_FIELD;
15 ERROR_IN_CRL_LAST_UPDATE_FIELD;16 ERROR_IN_CRL_NEXT_UPDATE_FIELD;17 OUT_OF_MEM;
18 DEPTH_ZERO_SELF_SIGNED_CERT;19 SELF_SIGNED_CERT_IN_CHAIN;20 UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
21 UNABLE_TO_VERIFY_LEAF_SIGNATURE;22 CERT_CHAIN_TOO_LONG;23 CERT_REVOKED;24 NO_ISSUER_PUBLIC_KEY;
25 PATH_LENGTH_EXCEEDED;26 INVALID_PURPOSE;27 CERT_UNTRUSTED;28 CERT_REJECTED;
29 SUBJECT_ISSUER_MISMATCH;30 AKID_SKID_MISMATCH;31 AKID_ISSUER_SERIAL_MISMATCH;
32 KEYUSAGE_NO_CERTSIGN;33 UNABLE_TO_GET_CRL_ISSUER;34 UNHANDLED_CRITICAL_EXTENSION;
35 KEYUSAGE_NO_CRL_SIGN;36 UNHANDLED_CRITICAL_CRL_EXTENSION;37 INVALID_NON_CA;
38 PROXY_PATH_LENGTH_EXCEEDED;39 KEYUSAGE_NO_DIGITAL_SIGNATURE;40 PROXY_CERTIFICATES_NOT_ALLOWED;
41 INVALID_EXTENSION;42 INVALID_POLICY_EXTENSION;43 NO_EXPLICIT_POLICY;44 DIFFERENT_CRL_SCOPE;
45 UNSUPPORTED_EXTENSION_FEATURE;46 UNNESTED_RESOURCE;47 PERMITTED_VIOLATION;
48 EXCLUDED_VIOLATION;49 SUBTREE_MINMAX;50 APPLICATION_VERIFICATION;
51 UNSUPPORTED_CONSTRAINT_TYPE;52 UNSUPPORTED_CONSTRAINT_SYNTAX;53 UNSUPPORTED_NAME_SYNTAX;
54 CRL_PATH_VALIDATION_ERROR;55 PATH_LOOP;56 SUITE_B_INVALID_VERSION;57 SUITE_B_INVALID_ALGORITHM;
58 SUITE_B_INVALID_CURVE;59 SUITE_B_INVALID_SIGNATURE_ALGORITHM;60 SUITE_B_LOS_NOT_ALLOWED;
61 SUITE_B_CANNOT_SIGN_P_384_WITH_P_256;62 HOSTNAME_MISMATCH;63 EMAIL_MISMATCH;
64 IP_ADDRESS_MISMATCH;65 DANE_NO_MATCH;66 EE_KEY_TOO_SMALL;67 CA_KEY_TOO_SMALL;68 CA_MD_TOO_WEAK;
69 INVALID_CALL;70 STORE_LOOKUP;71 NO_VALID_SCTS;72 PROXY_SUBJECT_NAME_VIOLATION;
73 OCSP_VERIFY_NEEDED;74 OCSP_VERIFY_FAILED;75 OCSP_CERT_UNKNOWN;76 UNSUPPORTED_SIGNATURE_ALGORITHM;
77 SIGNATURE_ALGORITHM_MISMATCH;78 SIGNATURE_ALGORITHM_INCONSISTENCY;79 INVALID_CA;
80 PATHLEN_INVALID_FOR_NON_CA;81 PATHLEN_WITHOUT_KU_KEY_CERT_SIGN;
82 KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA;83 ISSUER_NAME_EMPTY;84 SUBJECT_NAME_EMPTY;
85 MISSING_AUTHORITY_KEY_IDENTIFIER;86 MISSING_SUBJECT_KEY_IDENTIFIER;87 EMPTY_SUBJECT_ALT_NAME;
88 EMPTY_SUBJECT_SAN_NOT_CRITICAL;89 CA_BCONS_NOT_CRITICAL;90 AUTHORITY_KEY_IDENTIFIER_CRITICAL;
91 SUBJECT_KEY_IDENTIFIER_CRITICAL;92 CA_CERT_MISSING_KEY_USAGE;93 EXTENSIONS_REQUIRE_VERSION_3;
94 EC_KEY_EXPLICIT_PARAMS
"""
ERROR_NAMES: dict[int, str] = {
    int(number): f"X509_V_ERR_{name}"
    for number, name in (entry.split() for entry in _NAMES.replace("\n", "").split(";"))
}
"""OpenSSL 3's ``X509_V_ERR_*`` codes (x509_vfy.h), so reports can name the error."""
