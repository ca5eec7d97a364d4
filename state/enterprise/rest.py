"""The state as Redis Enterprise REST requests: JSON bodies and curl lines.

Field names and values are the documented ones (bdb object, `PUT /v1/bdbs/<uid>`,
`PUT /v1/cluster/update_cert`, `PUT /v1/cluster/certificates`, `PUT /v1/cluster`), for
the cluster's Redis Enterprise version (`state/versions.py`). Private keys never appear in a
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
from ..model import (
    SUBJECT_FIELDS,
    ClusterCertificate,
    Database,
    State,
    Subject,
)
from ..text import visible
from ..versions import (
    aa_tls_toggle,
    boundary,
    certificates_endpoint_by_default,
    has_authorized_subjects,
    has_certificates_endpoint,
    min_tls_problem,
)
from ..vocabulary import REST_OFF, CertificateRole, SubjectValidation, rest_switch

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


@dataclass(frozen=True, slots=True)
class NodeCommand:
    """A command the REST API has no request for, run on a cluster node (crdb-cli)."""

    title: str
    command: str
    note: str = ""


@dataclass(slots=True)
class RestExport:
    """The requests for a state (or one database of it), the node commands that go with
    them, and what was left out, and why."""

    requests: list[RestRequest] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    commands: list[NodeCommand] = field(default_factory=list)


def tls_mode(database: Database) -> str:
    """`enabled` for all communications; `replica_ssl` for Replica Of or CRDB only."""
    if not database.tls.enabled:
        return REST_OFF
    return database.tls.mode.rest_value


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


def _subject_body(subject: Subject) -> dict[str, Any]:
    """One authorized subject in the documented shape: `OU` is an array of strings."""
    body: dict[str, Any] = {}
    for key in SUBJECT_FIELDS:
        value = subject.get(key)
        if value is None:
            continue
        if key == "OU":
            body[key] = list(value) if isinstance(value, list) else [value]
        else:
            body[key] = value
    return body


def enforce_client_authentication(database: Database) -> str:
    """`enabled` only with TLS on, client authentication asked for and a certificate trusted:
    the field means "a certificate should be provided" (bdb object), and clusters report
    `disabled` for a database without TLS."""
    tls = database.tls
    return rest_switch(tls.enabled and tls.enforce_client_auth and bool(tls.certificates))


def uses_legacy_names(state: State, legacy_names: bool) -> bool:
    """The pre-6.4.2 form (`authorized_names` alone): asked for, or the cluster is older."""
    return legacy_names or not has_authorized_subjects(state.cluster.version)


def database_body(
    state: State, database: Database, *, legacy_names: bool = False
) -> dict[str, Any]:
    """The TLS fields of `PUT /v1/bdbs/<uid>` for one database, every one of them explicit.

    `san` becomes `san_cn` with one `{"CN": name}` subject per authorized name (the
    current API). Clusters before 6.4.2 (or `legacy_names`) get `authorized_names` alone:
    they have neither `client_cert_subject_validation_type` nor `authorized_subjects`,
    and a non-empty list is what turns their name check on.
    """
    tls = database.tls
    crdt = crdt_certificates(state, database)
    pem = state.certificates
    body: dict[str, Any] = {
        "tls_mode": tls_mode(database),
        "enforce_client_authentication": enforce_client_authentication(database),
        "authentication_ssl_client_certs": [
            {"client_cert": pem[sha]} for sha in tls.certificates if sha not in crdt
        ],
    }
    if database.is_active_active:
        body["authentication_ssl_crdt_certs"] = [
            {"client_cert": pem[sha]} for sha in tls.certificates if sha in crdt
        ]
    if uses_legacy_names(state, legacy_names):
        body["authorized_names"] = _legacy_names(state, database)
        return body
    body["client_cert_subject_validation_type"] = tls.subject_validation.rest_value
    if tls.authorized_subjects and not (
        tls.subject_validation is SubjectValidation.SAN and tls.authorized_names
    ):
        body["authorized_subjects"] = [_subject_body(s) for s in tls.authorized_subjects]
    else:
        body["authorized_subjects"] = [{"CN": name} for name in tls.authorized_names]
    if database.replica_sources:
        body["replica_sources"] = replica_sources_body(state, database)
    return body


def _legacy_names(state: State, database: Database) -> list[str]:
    """`authorized_names` for the pre-6.4.2 form; full-subject validation has none."""
    tls = database.tls
    if tls.subject_validation is SubjectValidation.NONE:
        return []
    if tls.subject_validation is SubjectValidation.FULL_SUBJECT:
        version = state.cluster.version or "before 6.4.2"
        raise WizardError(
            f"database {database.name}: Redis Enterprise {version} has no full-subject "
            f"validation (authorized_subjects exists from {boundary('subjects')}); use SAN "
            "validation"
        )
    return list(tls.authorized_names)


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


def _certificate_requests(state: State, export: RestExport, bulk: bool) -> list[RestRequest]:
    """`PUT /v1/cluster/update_cert` per certificate, or one `PUT /v1/cluster/certificates`.

    Only certificates whose key the wizard holds; the others are noted in `export.skipped`.
    """
    entries: list[dict[str, str]] = []
    key_files: dict[str, str] = {}
    for role in CertificateRole:
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


def use_certificates_endpoint(state: State, bulk_certificates: bool | None) -> bool:
    """`PUT /v1/cluster/certificates` or `update_cert`: asked for, else by the version.

    From 7.22.2 `update_cert` is deprecated and the bulk endpoint is the default; a
    cluster before 7.22 has no bulk endpoint, so asking for it there is refused.
    """
    version = state.cluster.version
    if bulk_certificates is None:
        return certificates_endpoint_by_default(version)
    if bulk_certificates and has_certificates_endpoint(version) is False:
        raise WizardError(
            f"Redis Enterprise {version} has no PUT {CERTIFICATES_PATH} (it exists from "
            f"{boundary('certificates')}); leave out --certificates-endpoint"
        )
    return bulk_certificates


def min_tls_request(state: State) -> RestRequest:
    """`PUT /v1/cluster` with the minimum TLS version; refused before anything is sent when
    the cluster's version does not accept the value."""
    value = state.cluster.min_data_tls_version
    problem = min_tls_problem(state.cluster.version, value)
    if problem:
        raise WizardError(problem)
    return RestRequest(
        "PUT",
        "/v1/cluster",
        {"min_data_TLS_version": value},
        "cluster",
        "cluster minimum data TLS version",
        supports_dry_run=True,
    )


def aa_tls_command(state: State, database: Database) -> NodeCommand | None:
    """`crdb-cli crdb update --encryption` when an active-active database's TLS turns on or
    off (7.8 and later, enable-tls); None when it does not change."""
    if not database.is_active_active or database.tls.enabled == database.created_with_tls:
        return None
    if aa_tls_toggle(state.cluster.version) is False:
        raise WizardError(
            f"database {database.name}: Redis Enterprise {state.cluster.version} cannot turn "
            f"TLS of an active-active database on or off (possible from {boundary('aa-toggle')})"
        )
    value = "true" if database.tls.enabled else "false"
    guid = shlex.quote(database.crdb_guid) if database.crdb_guid else "<GUID>"
    return NodeCommand(
        f"database {database.name}: TLS {'on' if database.tls.enabled else 'off'} for the "
        "Active-Active replication",
        f"crdb-cli crdb update --crdb-guid {guid} --encryption {value}",
        ""
        if database.crdb_guid
        else "replace <GUID> with the database's CRDB GUID (crdb-cli crdb list)",
    )


def rest_export(
    state: State,
    database_name: str | None = None,
    *,
    legacy_names: bool = False,
    bulk_certificates: bool | None = None,
) -> RestExport:
    """The requests in the order they are sent: cluster certificates, TLS version, databases.

    With `database_name`, only that database's `PUT /v1/bdbs/<uid>`. `bulk_certificates` (None:
    by the cluster's version) sends the certificates in one `PUT /v1/cluster/certificates`.
    Everything the cluster's version would refuse is refused here, before any request.
    """
    export = RestExport()
    if database_name is not None:
        chosen = [state.require_database(database_name)]
    else:
        chosen = sorted(state.databases, key=lambda d: d.uid)
        bulk = use_certificates_endpoint(state, bulk_certificates)
        export.requests.extend(_certificate_requests(state, export, bulk))
        export.notes.extend(_rotation_notes(state, export.requests))
        export.requests.append(min_tls_request(state))
    for db in chosen:
        command = aa_tls_command(state, db)
        if command is not None:
            export.commands.append(command)
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
        "node_commands": [
            {"title": c.title, "command": c.command, "note": c.note} for c in export.commands
        ],
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


def shown_body(request: RestRequest) -> str:
    """A request's JSON body for reading on a screen: each certificate a one-line label."""
    return json.dumps(_shortened(request.body), indent=2)


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
    lines.extend(node_command_lines(export.commands, commented=True))
    return "\n".join(lines) + "\n"


def node_command_lines(commands: list[NodeCommand], *, commented: bool) -> list[str]:
    """The node commands after the requests; commented out in the curl script, which runs
    on an administrator's machine, not on a node."""
    if not commands:
        return []
    lines = ["", "# Then, on a cluster node:"]
    for command in commands:
        lines.append(f"# {command.title}" + (f" ({command.note})" if command.note else ""))
        lines.append(f"# {command.command}" if commented else command.command)
    return lines
