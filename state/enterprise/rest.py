"""The state as Redis Enterprise REST requests: JSON bodies and curl lines.

Field names and values are the documented ones (bdb object, `PUT /v1/bdbs/<uid>`,
`PUT /v1/cluster/update_cert`, `PUT /v1/cluster`). Private keys never appear in a
rendering: an `update_cert` request names its key file, and the curl line reads it with
`jq --rawfile` while the client reads it at send time. The password is never rendered
either; curl lines read it from `$TLS_WIZARD_PASSWORD`.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from ..errors import WizardError
from ..model import CLUSTER_CERTIFICATE_ROLES, SUBJECT_FIELDS, ClusterCertificate, Database, State
from ..text import visible

TLS_MODE_VALUES = ("enabled", "replica_ssl", "disabled")
"""`tls_mode`: all communications, Replica Of / CRDB only, off."""

VALIDATION_VALUES = {"none": "disabled", "san": "san_cn", "full-subject": "full_subject"}
"""The state's subject validation -> `client_cert_subject_validation_type`."""

PLACEHOLDER_SUFFIX = ".placeholder.key"
"""Key files of self-signed stand-ins made at import when the cluster JSON had no certificate."""

CLUSTER_HELD_SUFFIX = ".cluster-held.key"
"""Key files the cluster keeps to itself: the certificate was imported, its key never was."""

UPDATE_CERT_PATH = "/v1/cluster/update_cert"
CERTIFICATES_PATH = "/v1/cluster/certificates"
CERTIFICATE_PATHS = (UPDATE_CERT_PATH, CERTIFICATES_PATH)

URL_VARIABLE = "TLS_WIZARD_URL"
USER_VARIABLE = "TLS_WIZARD_USER"
PASSWORD_VARIABLE = "TLS_WIZARD_PASSWORD"
CA_VARIABLE = "TLS_WIZARD_CA"


@dataclass(frozen=True, slots=True)
class RestRequest:
    """One request of the plan: what to send, to where, and what it is about.

    `key_files` (certificate requests only) maps a certificate name (proxy, syncer) to the
    state's reference to its private key; the body gets each `key` from its file only
    when the request is actually sent (`with_keys`).
    """

    method: str
    path: str
    body: dict[str, Any]
    object: str
    title: str
    key_files: dict[str, str] = field(default_factory=dict)
    supports_dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "object": self.object,
            "method": self.method,
            "path": self.path,
            "body": self.body,
        }
        if self.key_files:
            data["keys_from_files"] = dict(self.key_files)
        return data


@dataclass(slots=True)
class RestExport:
    """The requests for a state (or one database of it) and what was left out, and why."""

    requests: list[RestRequest] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def tls_mode(database: Database) -> str:
    """`enabled` for all communications; `replica_ssl` for Replica Of or CRDB only."""
    if not database.tls.enabled:
        return "disabled"
    return "enabled" if database.tls.mode == "all" else "replica_ssl"


def crdt_certificates(state: State, database: Database) -> set[str]:
    """The syncer certificates among an active-active database's certificates.

    They go to `authentication_ssl_crdt_certs`: every participant's syncer certificate and
    this cluster's own. A standard database (Replica Of) lists syncer certificates with its
    client certificates, as the documentation says.
    """
    if not database.is_active_active:
        return set()
    syncers = {p.syncer_certificate for p in state.participants}
    if state.cluster.syncer is not None:
        syncers.add(state.cluster.syncer.certificate)
    return syncers & set(database.tls.certificates)


def replica_sources_body(state: State, database: Database) -> list[dict[str, Any]]:
    """The replica side as `replica_sources` (syncer_sources objects): `encryption`, the
    source cluster's proxy certificate as `server_cert`, and `replication_tls_sni`.

    `client_cert`/`client_key` are not sent: the replica's syncer presents this cluster's
    syncer certificate, which the source database trusts. The URI carries no password
    (the wizard never keeps one); `source_uri_note` says so.
    """
    sources = []
    for source in database.replica_sources:
        entry: dict[str, Any] = {"uri": f"redis://{source.uri}", "encryption": source.encryption}
        if source.server_certificate:
            entry["server_cert"] = state.certificates[source.server_certificate]
        if source.sni:
            entry["replication_tls_sni"] = source.sni
        sources.append(entry)
    return sources


def source_uri_note(database: Database) -> str:
    return (
        f"database {database.name}: replica_sources[].uri is sent as redis://HOST:PORT without "
        "a password (the wizard never stores one); if the source database has a password, "
        "write it into the URI (redis://:PASSWORD@HOST:PORT) before sending"
    )


def _subject_body(subject: dict[str, str]) -> dict[str, Any]:
    """One authorized subject in the documented shape: `OU` is an array of strings."""
    body: dict[str, Any] = {}
    for key in SUBJECT_FIELDS:
        value = subject.get(key)
        if value is None:
            continue
        body[key] = [value] if key == "OU" else value
    return body


def database_body(
    state: State, database: Database, *, legacy_names: bool = False
) -> dict[str, Any]:
    """The TLS fields of `PUT /v1/bdbs/<uid>` for one database, every one of them explicit.

    `san` becomes `san_cn` with one `{"CN": name}` subject per authorized name (the
    current API); `legacy_names` sends the deprecated `authorized_names` list instead, for
    clusters older than 6.4.2.
    """
    tls = database.tls
    crdt = crdt_certificates(state, database)
    pem = state.certificates
    body: dict[str, Any] = {
        "tls_mode": tls_mode(database),
        "enforce_client_authentication": "enabled" if tls.enforce_client_auth else "disabled",
        "authentication_ssl_client_certs": [
            {"client_cert": pem[sha]} for sha in tls.certificates if sha not in crdt
        ],
    }
    if database.is_active_active:
        body["authentication_ssl_crdt_certs"] = [
            {"client_cert": pem[sha]} for sha in tls.certificates if sha in crdt
        ]
    body["client_cert_subject_validation_type"] = VALIDATION_VALUES[tls.subject_validation]
    if tls.authorized_subjects and not (tls.subject_validation == "san" and tls.authorized_names):
        body["authorized_subjects"] = [_subject_body(s) for s in tls.authorized_subjects]
    elif legacy_names:
        body["authorized_names"] = list(tls.authorized_names)
    else:
        body["authorized_subjects"] = [{"CN": name} for name in tls.authorized_names]
    if database.replica_sources:
        body["replica_sources"] = replica_sources_body(state, database)
    return body


def cluster_certificate_status(ref: ClusterCertificate | None) -> str:
    """ "own" when the wizard holds the key and may install it; else why it must not."""
    if ref is None:
        return "missing"
    if ref.key_file.endswith(PLACEHOLDER_SUFFIX):
        return "placeholder"
    if ref.key_file.endswith(CLUSTER_HELD_SUFFIX):
        return "cluster-held"
    return "own"


SKIP_REASONS = {
    "missing": "the cluster has no {role} certificate in the state",
    "placeholder": (
        "the {role} certificate is a self-signed placeholder made at import (the cluster JSON "
        "had none); it is not sent. Install yours with "
        "`tls-wizard cluster certificate set {role} ...` first"
    ),
    "cluster-held": (
        "the {role} certificate was imported from the cluster without its key; the cluster "
        "keeps it as it is"
    ),
}


def _requires_database(state: State, name: str) -> Database:
    database = state.database(name)
    if database is None:
        known = ", ".join(d.name for d in state.databases) or "none"
        raise WizardError(f"no database named {name!r} (databases: {known})")
    return database


def _certificate_requests(state: State, export: RestExport, bulk: bool) -> list[RestRequest]:
    """`PUT /v1/cluster/update_cert` per certificate, or one `PUT /v1/cluster/certificates`.

    Only certificates whose key the wizard holds; the others are noted in `export.skipped`.
    """
    entries: list[dict[str, str]] = []
    key_files: dict[str, str] = {}
    for role in CLUSTER_CERTIFICATE_ROLES:
        ref = state.cluster.certificate(role)
        status = cluster_certificate_status(ref)
        if status != "own":
            export.skipped.append(SKIP_REASONS[status].format(role=role))
            continue
        assert ref is not None
        chain = "".join(state.certificates[sha] for sha in [ref.certificate, *ref.chain])
        entries.append({"name": role, "certificate": chain})
        key_files[role] = ref.key_file
    if not entries:
        return []
    if bulk:
        names = " and ".join(e["name"] for e in entries)
        return [
            RestRequest(
                "PUT",
                CERTIFICATES_PATH,
                {"certificates": entries},
                "cluster.certificates",
                f"cluster {names} certificate{'s' if len(entries) > 1 else ''}",
                key_files=key_files,
            )
        ]
    return [
        RestRequest(
            "PUT",
            UPDATE_CERT_PATH,
            entry,
            f"cluster.{entry['name']}",
            f"cluster {entry['name']} certificate",
            key_files={entry["name"]: key_files[entry["name"]]},
        )
        for entry in entries
    ]


def _rotation_notes(state: State, requests: list[RestRequest]) -> list[str]:
    """What replacing the proxy or syncer certificate still needs (updating-certificates)."""
    from ..rotation import follow_ups

    notes: list[str] = []
    for request in requests:
        for role in request.key_files:
            for line in follow_ups(state, role).lines():
                note = f"after the {role} certificate: {line}"
                if note not in notes:
                    notes.append(note)
    return notes


def with_keys(body: dict[str, Any], keys: dict[str, str]) -> dict[str, Any]:
    """`body` with each certificate's `key` filled in from `keys` (name -> PEM text)."""
    if "certificates" in body:
        return {"certificates": [{**c, "key": keys[c["name"]]} for c in body["certificates"]]}
    return {**body, "key": keys[body["name"]]}


def rest_export(
    state: State,
    database: str | None = None,
    *,
    legacy_names: bool = False,
    bulk_certificates: bool = False,
) -> RestExport:
    """The requests in the order they are sent: cluster certificates, TLS version, databases.

    With `database`, only that database's `PUT /v1/bdbs/<uid>`. `bulk_certificates` sends
    the certificates in one `PUT /v1/cluster/certificates` (Redis Software 7.22.2 and
    later, where `update_cert` is deprecated).
    """
    export = RestExport()
    if database is not None:
        chosen = [_requires_database(state, database)]
    else:
        chosen = sorted(state.databases, key=lambda d: d.uid)
        export.requests.extend(_certificate_requests(state, export, bulk_certificates))
        export.notes.extend(_rotation_notes(state, export.requests))
        export.requests.append(
            RestRequest(
                "PUT",
                "/v1/cluster",
                {"min_data_TLS_version": state.cluster.min_data_tls_version},
                "cluster",
                "cluster minimum data TLS version",
            )
        )
    for db in chosen:
        export.requests.append(
            RestRequest(
                "PUT",
                f"/v1/bdbs/{db.uid}",
                database_body(state, db, legacy_names=legacy_names),
                f"databases.{db.name}",
                f"database {db.name} (uid {db.uid}) TLS settings",
                supports_dry_run=True,
            )
        )
        if db.replica_sources:
            export.notes.append(source_uri_note(db))
    return export


def render_json(export: RestExport) -> str:
    """The requests as one JSON document (what `export rest --json` prints)."""
    document = {
        "requests": [r.as_json() for r in export.requests],
        "skipped": list(export.skipped),
        "notes": list(export.notes),
    }
    return json.dumps(document, indent=2) + "\n"


def _shortened(value: Any) -> Any:
    """`value` with every PEM replaced by a one-line label (CN and SHA-256), for screens."""
    if isinstance(value, dict):
        return {key: _shortened(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shortened(item) for item in value]
    if isinstance(value, str) and value.startswith("-----BEGIN CERTIFICATE-----"):
        from ..certificates import describe_pem

        count = value.count("-----BEGIN CERTIFICATE-----")
        end = "-----END CERTIFICATE-----"
        info = describe_pem(value.split(end, 1)[0] + end + "\n")
        chain = f" + {count - 1} more" if count > 1 else ""
        return f"<PEM {info.label} sha256 {info.sha256[:12]}{chain}>"
    return value


def _curl(request: RestRequest, dry_run: bool = False, shorten: bool = False) -> str:
    query = "?dry_run" if dry_run and request.supports_dry_run else ""
    url = f'"${URL_VARIABLE}{request.path}{query}"'
    options = (
        f'--fail-with-body --cacert "${CA_VARIABLE}" \\\n'
        f'  --user "${USER_VARIABLE}:${PASSWORD_VARIABLE}" \\\n'
        f"  -X {request.method} {url} \\\n"
        "  -H 'Content-Type: application/json' --data-binary @-"
    )
    body = json.dumps(_shortened(request.body) if shorten else request.body, indent=2)
    if request.key_files:
        files = " ".join(
            f"--rawfile {name} {shlex.quote(path)}" for name, path in request.key_files.items()
        )
        if request.path == CERTIFICATES_PATH:
            program = "'.certificates |= map(. + {key: $ARGS.named[.name]})'"
        else:
            program = "'. + {key: $ARGS.named[.name]}'"
        reader = f"jq {files} {program}"
        return f"{reader} <<'JSON' \\\n  | curl {options}\n{body}\nJSON"
    return f"curl {options} <<'JSON'\n{body}\nJSON"


def render_curl(
    export: RestExport, *, title: str = "", dry_run: bool = False, shorten: bool = False
) -> str:
    """A shell script of curl lines; it reads the password from the environment, never holds it.

    `shorten` replaces each certificate with a one-line label: for reading on a screen,
    never for running (the copy always takes the full text).
    """
    lines = [
        f"# Redis Enterprise REST requests{f' for {visible(title)}' if title else ''}",
        f"# Needs {URL_VARIABLE} (https://HOST:9443), {USER_VARIABLE},",
        f"# {PASSWORD_VARIABLE} and {CA_VARIABLE} (the cluster's API certificate).",
        "# Run from the state file's folder (key files are read from there);",
        "# set -e stops at the first request that fails.",
        "set -e",
    ]
    for reason in export.skipped:
        lines.append(f"# skipped: {visible(reason)}")
    for note in export.notes:
        lines.append(f"# note: {visible(note)}")
    for request in export.requests:
        lines.append("")
        lines.append(f"# {visible(request.title)}: {request.method} {visible(request.path)}")
        lines.append(_curl(request, dry_run, shorten))
    return "\n".join(lines) + "\n"
