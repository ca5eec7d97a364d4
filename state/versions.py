"""What each Redis Enterprise Software version accepts, as its documentation says.

Every rendering and rule asks this module, never compares version strings itself. The
boundaries and the pages they come from are listed in docs/enterprise.md:

- 6.4.2: `authorized_subjects` replaces `authorized_names` (and `full_subject` exists);
- 7.4.2: TLS 1.0 and 1.1 are no longer supported, TLS 1.3 can be the minimum;
- 7.8: an Active-Active database's TLS can be turned on or off (`crdb-cli crdb update`);
- 7.22: `PUT /v1/cluster/certificates` exists; from 7.22.2 `update_cert` is deprecated.

An empty version means "not known": every value some version documents is accepted, and
the rules warn which versions would refuse it.
"""

from __future__ import annotations

import re

from .errors import WizardError

Version = tuple[int, int, int]

SUBJECTS_FROM: Version = (6, 4, 2)
TLS_1_3_FROM: Version = (7, 4, 2)
AA_TLS_TOGGLE_FROM: Version = (7, 8, 0)
CERTIFICATES_ENDPOINT_FROM: Version = (7, 22, 0)
UPDATE_CERT_DEPRECATED_FROM: Version = (7, 22, 2)

TLS_BEFORE_7_4_2 = ("1", "1.1", "1.2")
TLS_FROM_7_4_2 = ("1.2", "1.3")
ALL_TLS_VERSIONS = ("1", "1.1", "1.2", "1.3")

_VERSION_RE = re.compile(r"^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,4}))?(?:-(\d{1,6}))?$")


def parse_version(text: str) -> Version:
    """`7.4.2`, `7.22` or a node's `software_version` such as `7.22.2-14` -> (7, 22, 2).

    The build number after `-` is dropped: the documented boundaries are releases.
    """
    match = _VERSION_RE.match(text.strip())
    if match is None:
        raise WizardError(
            f"{text!r} is not a Redis Enterprise version; write it as X.Y.Z (for example "
            "7.22.2), as `GET /v1/nodes` reports it in software_version"
        )
    major, minor, patch = match.group(1), match.group(2), match.group(3) or "0"
    return int(major), int(minor), int(patch)


def normalize_version(text: str) -> str:
    """The version as the state stores it: X.Y.Z without the build number ('' stays '')."""
    if not text.strip():
        return ""
    return ".".join(str(part) for part in parse_version(text))


def _at_least(version: str, boundary: Version) -> bool | None:
    """True/False for a known version, None when the state does not know it."""
    if not version:
        return None
    return parse_version(version) >= boundary


def _name(boundary: Version) -> str:
    major, minor, patch = boundary
    return f"{major}.{minor}.{patch}" if patch else f"{major}.{minor}"


def allowed_min_tls(version: str) -> tuple[str, ...]:
    """The `min_data_TLS_version` values a cluster of `version` accepts."""
    newer = _at_least(version, TLS_1_3_FROM)
    if newer is None:
        return ALL_TLS_VERSIONS
    return TLS_FROM_7_4_2 if newer else TLS_BEFORE_7_4_2


def min_tls_refused_by(value: str) -> str:
    """Which versions refuse `value` as the minimum TLS version ('' when none does)."""
    if value == "1.3":
        return f"clusters before {_name(TLS_1_3_FROM)}"
    if value in ("1", "1.1"):
        return f"clusters from {_name(TLS_1_3_FROM)} on"
    return ""


def min_tls_problem(version: str, value: str) -> str | None:
    """Why a cluster of `version` refuses `value`; None when it accepts it."""
    allowed = allowed_min_tls(version)
    if value in allowed:
        return None
    return (
        f"Redis Enterprise {version} does not accept minimum TLS version {value}; "
        f"it accepts {', '.join(allowed)}"
    )


def has_authorized_subjects(version: str) -> bool:
    """`authorized_subjects` and `client_cert_subject_validation_type` (6.4.2 on).

    An unknown version is taken as a current one.
    """
    return _at_least(version, SUBJECTS_FROM) is not False


def aa_tls_toggle(version: str) -> bool | None:
    """Whether an Active-Active database's TLS may be turned on or off (None: unknown)."""
    return _at_least(version, AA_TLS_TOGGLE_FROM)


def has_certificates_endpoint(version: str) -> bool | None:
    """Whether `PUT /v1/cluster/certificates` exists (None: unknown)."""
    return _at_least(version, CERTIFICATES_ENDPOINT_FROM)


def certificates_endpoint_by_default(version: str) -> bool:
    """From 7.22.2, where `update_cert` is deprecated; `update_cert` when the version is
    unknown, since every documented version still has it."""
    return _at_least(version, UPDATE_CERT_DEPRECATED_FROM) is True


def boundary(name: str) -> str:
    """A boundary's version as text, for messages: subjects, tls13, aa-toggle, certificates."""
    return _name(
        {
            "subjects": SUBJECTS_FROM,
            "tls13": TLS_1_3_FROM,
            "aa-toggle": AA_TLS_TOGGLE_FROM,
            "certificates": CERTIFICATES_ENDPOINT_FROM,
            "update-cert-deprecated": UPDATE_CERT_DEPRECATED_FROM,
        }[name]
    )
