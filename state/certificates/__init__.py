"""The certificate inspector: read anything pasted, describe it, find problems, and decide
as the server would.

Importing the package is cheap: the plain data types come from modules without heavy
imports, and the functions load cryptography on first use (PEP 562 ``__getattr__``), so
``tls-wizard --help`` and the screens start without paying for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import CertificateInputError
from .info import CertificateInfo, Item, ReadResult

if TYPE_CHECKING:
    from .checks import check, needs_its_ca
    from .describe import describe_pem, fingerprint
    from .keys import key_matches, load_private_key
    from .names import (
        client_verdict,
        full_subject_matches,
        name_matches,
        san_cn_matches,
        subject_matches,
    )
    from .reader import read, read_bytes_limited, read_certificate_file, read_certificates
    from .verify import Verdict, verify_client

_LAZY = {
    "read": "reader",
    "read_certificates": "reader",
    "read_certificate_file": "reader",
    "read_bytes_limited": "reader",
    "describe_pem": "describe",
    "fingerprint": "describe",
    "load_private_key": "keys",
    "key_matches": "keys",
    "check": "checks",
    "needs_its_ca": "checks",
    "Verdict": "verify",
    "verify_client": "verify",
    "name_matches": "names",
    "subject_matches": "names",
    "san_cn_matches": "names",
    "full_subject_matches": "names",
    "client_verdict": "names",
}

__all__ = [
    "CertificateInfo",
    "CertificateInputError",
    "Item",
    "ReadResult",
    "Verdict",
    "check",
    "client_verdict",
    "describe_pem",
    "fingerprint",
    "full_subject_matches",
    "key_matches",
    "load_private_key",
    "name_matches",
    "needs_its_ca",
    "read",
    "read_bytes_limited",
    "read_certificate_file",
    "read_certificates",
    "san_cn_matches",
    "subject_matches",
    "verify_client",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
