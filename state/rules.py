"""The rules: pure functions over the model that say what is an error and what may change.

Each finding has a stable code so scripts and tests can rely on it. Errors refuse a save;
warnings and infos are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from .findings import Finding, sort_findings
from .model import Database, State
from .names import name_problem, never_matched
from .versions import (
    aa_tls_toggle as aa_toggle_allowed,
)
from .versions import (
    boundary,
    has_authorized_subjects,
    min_tls_problem,
    min_tls_refused_by,
)
from .vocabulary import SubjectValidation, TlsMode

Rule = Callable[[State, Database], Iterator[Finding]]
"""A database rule: its findings' paths are fields inside the database (`tls.mode`)."""


def crdb_needs_active_active(state: State, db: Database) -> Iterator[Finding]:
    if db.tls.enabled and db.tls.mode == TlsMode.CRDB and not db.is_active_active:
        yield Finding(
            "error",
            "crdb-needs-active-active",
            f"mode '{TlsMode.CRDB.label}' needs an active-active database",
            "tls.mode",
        )


def aa_tls_toggle(state: State, db: Database) -> Iterator[Finding]:
    """Before 7.8 an Active-Active database keeps the TLS it was created with; from 7.8
    `crdb-cli crdb update --encryption` turns it on or off (the renderings carry it)."""
    if not (db.is_active_active and db.tls.enabled != db.created_with_tls):
        return
    was = "with" if db.created_with_tls else "without"
    version = state.cluster.version
    allowed = aa_toggle_allowed(version)
    since = boundary("aa-toggle")
    where_enabled = "tls.enabled"
    if allowed:
        yield Finding(
            "info",
            "aa-tls-toggle",
            f"TLS of this active-active database (created {was} TLS) is turned "
            f"{'on' if db.tls.enabled else 'off'} with `crdb-cli crdb update --encryption`; "
            "the rladmin and REST renderings carry the command",
            where_enabled,
        )
    elif allowed is None:
        yield Finding(
            "warning",
            "aa-tls-toggle",
            f"an active-active database can turn TLS on or off after it is created only from "
            f"Redis Enterprise {since} (crdb-cli); earlier versions refuse it (it was created "
            f"{was} TLS). Set the cluster's version: tls-wizard cluster config version X.Y.Z",
            where_enabled,
        )
    else:
        yield Finding(
            "error",
            "aa-tls-toggle",
            f"Redis Enterprise {version} cannot enable or disable TLS of an active-active "
            f"database after it is created (it was created {was} TLS; possible from {since}); "
            "its TLS configuration can still change",
            where_enabled,
        )


def required_syncer_clusters(state: State, db: Database) -> list[str]:
    """The clusters whose syncer certificate this database must trust: every participant of
    an active-active database; on a Replica Of source, every cluster hosting a replica."""
    if db.is_active_active:
        return list(db.participants)
    return list(db.replica_clusters)


def needs_syncer_trust(db: Database) -> bool:
    """Whether the database's trusted list decides who may replicate from it: TLS covers
    replication (all, or Replica Of/CRDB only) and client certificates are required."""
    return db.tls.enabled and db.tls.enforce_client_auth


def missing_syncer_cert(state: State, db: Database) -> Iterator[Finding]:
    if not needs_syncer_trust(db):
        return
    trusted = set(db.tls.certificates)
    for cluster in required_syncer_clusters(state, db):
        kind = "participating" if db.is_active_active else "replica"
        field = "participants" if db.is_active_active else "replica_clusters"
        sha = state.syncer_certificate_of(cluster)
        if not state.known_cluster(cluster):
            yield Finding(
                "error",
                "missing-syncer-cert",
                f"{kind} cluster {cluster} is unknown: add it with the syncer certificate from "
                f"its general settings (cluster participant add {cluster} FILE)",
                f"{field}",
            )
        elif sha is not None and sha not in trusted:
            hosts = "takes part in this database" if db.is_active_active else "hosts a replica"
            yield Finding(
                "error",
                "missing-syncer-cert",
                f"cluster {cluster} {hosts} but its syncer certificate ({sha[:12]}…) is not "
                f"among the database's certificates: paste the syncer certificate from "
                f"{cluster}'s general settings; replication fails without it",
                "tls.certificates",
            )


def replica_source_certificate(state: State, db: Database) -> Iterator[Finding]:
    """The replica side: an encrypted source needs the source cluster's proxy certificate."""
    for index, source in enumerate(db.replica_sources):
        if source.encryption and not source.server_certificate:
            yield Finding(
                "error",
                "replica-source-without-cert",
                f"Replica Of source {source.uri} uses encryption but holds no server "
                "certificate: paste the proxy certificate from the source cluster's general "
                f"settings (db source {db.name} {source.uri} --server-cert FILE)",
                f"replica_of[{index}].server_certificate",
            )


def local_source(state: State, uri: str) -> Database | None:
    """The database a Replica Of URI names when it lives on this cluster (its FQDN, or a
    name inside it, and a database's port), or None when the state cannot tell."""
    host, _, port = uri.rpartition(":")
    host = host.strip("[]").lower().rstrip(".")
    fqdn = state.cluster.fqdn.lower().rstrip(".")
    if not fqdn or not (host == fqdn or host.endswith("." + fqdn)):
        return None
    for database in state.databases:
        if str(database.port) == port:
            return database
    return None


def requires_tls_for_replication(database: Database) -> bool:
    """A source database whose replicas must connect over TLS."""
    return database.tls.enabled and database.tls.mode in (TlsMode.ALL, TlsMode.REPLICA_OF)


def replica_source_plaintext(state: State, db: Database) -> Iterator[Finding]:
    """A source without encryption: an error when the source is known to require TLS, else a
    note of what to add if it does (every source an older state file held starts here)."""
    for index, source in enumerate(db.replica_sources):
        if source.encryption:
            continue
        origin = local_source(state, source.uri)
        if origin is not None and origin is not db and requires_tls_for_replication(origin):
            yield Finding(
                "error",
                "replica-source-plaintext",
                f"Replica Of source {source.uri} (database {origin.name}) requires TLS but "
                "this replica connects without encryption: turn encryption on and paste the "
                f"proxy certificate of {state.cluster.name} "
                f"(db source {db.name} {source.uri} --encryption --server-cert FILE)",
                f"replica_of[{index}].encryption",
            )
        else:
            yield Finding(
                "info",
                "replica-source-plaintext",
                f"Replica Of source {source.uri} is reached without encryption; if the source "
                "database requires TLS, turn encryption on and paste the proxy certificate "
                "from the source cluster's general settings "
                f"(db source {db.name} {source.uri} --encryption --server-cert FILE)",
                f"replica_of[{index}].encryption",
            )


def client_auth_without_certs(state: State, db: Database) -> Iterator[Finding]:
    if db.tls.enabled and db.tls.enforce_client_auth and not db.tls.certificates:
        yield Finding(
            "error",
            "client-auth-without-certs",
            "client authentication is enforced but no client certificate or CA is added; "
            "add one, or turn client authentication off",
            "tls.certificates",
        )


def client_certificate_shas(state: State, db: Database) -> list[str]:
    """The certificates sent as `authentication_ssl_client_certs`: all trusted ones except,
    on an active-active database, the syncer certificates (`authentication_ssl_crdt_certs`)."""
    if not db.is_active_active:
        return list(db.tls.certificates)
    syncers = {p.syncer_certificate for p in state.participants}
    if state.cluster.syncer is not None:
        syncers.add(state.cluster.syncer.certificate)
    return [sha for sha in db.tls.certificates if sha not in syncers]


def trusted_leaves(state: State, db: Database) -> list[str]:
    """Client certificates that are leaves (not CAs): with one of them trusted, the product
    skips every additional certificate validation."""
    from .certificates import describe_pem

    leaves = []
    for sha in client_certificate_shas(state, db):
        pem = state.certificates.get(sha)
        if pem is not None and describe_pem(pem).role == "leaf":
            leaves.append(sha)
    return leaves


def subject_checks_skipped(state: State, db: Database) -> Iterator[Finding]:
    """ "If you include a leaf certificate, mutual client authentication skips any additional
    certificate validations" (enable-tls): the checks the state shows would not happen."""
    tls = db.tls
    if not (
        tls.enabled and tls.enforce_client_auth and tls.subject_validation != SubjectValidation.NONE
    ):
        return
    leaves = trusted_leaves(state, db)
    if leaves:
        from .certificates import describe_pem

        labels = ", ".join(describe_pem(state.certificates[sha]).label for sha in leaves[:3])
        more = f" and {len(leaves) - 3} more" if len(leaves) > 3 else ""
        yield Finding(
            "error",
            "leaf-skips-subject-checks",
            f"subject validation would not happen: the trusted list holds a leaf certificate "
            f"({labels}{more}), and with a leaf the cluster skips every additional certificate "
            "validation. Trust only CA certificates, or turn subject validation off",
            "tls.subject_validation",
        )


def subject_names(state: State, db: Database) -> Iterator[Finding]:
    tls = db.tls
    if not tls.enabled or tls.subject_validation == SubjectValidation.NONE:
        return
    if not has_authorized_subjects(state.cluster.version) and (
        tls.subject_validation == SubjectValidation.FULL_SUBJECT
    ):
        yield Finding(
            "error",
            "full-subject-needs-6.4.2",
            f"Redis Enterprise {state.cluster.version} has no full-subject validation "
            f"(authorized_subjects exists from {boundary('subjects')}); use SAN validation",
            "tls.subject_validation",
        )
    if tls.subject_validation == SubjectValidation.SAN and not tls.authorized_names:
        yield Finding(
            "error",
            "empty-san-list",
            "Subject Alternative Name validation is on but the list of names is empty",
            "tls.authorized_names",
        )
    if tls.subject_validation == SubjectValidation.FULL_SUBJECT and not tls.authorized_subjects:
        yield Finding(
            "error",
            "empty-san-list",
            "full-subject validation is on but no authorized subject is listed",
            "tls.authorized_subjects",
        )
    if tls.subject_validation == SubjectValidation.SAN:
        seen: set[str] = set()
        for index, name in enumerate(tls.authorized_names):
            problem = name_problem(name)
            never = never_matched(name)
            if problem:
                yield Finding("error", "bad-name", problem, f"tls.authorized_names[{index}]")
            elif never:
                yield Finding(
                    "warning",
                    "name-never-matched",
                    never,
                    f"tls.authorized_names[{index}]",
                )
            elif name.lower() in seen:
                yield Finding(
                    "error",
                    "bad-name",
                    f"{name!r} is listed twice",
                    f"tls.authorized_names[{index}]",
                )
            seen.add(name.lower())
    if tls.enabled and not tls.enforce_client_auth:
        yield Finding(
            "warning",
            "validation-without-client-auth",
            "subject validation has no effect while client authentication is off",
            "tls.subject_validation",
        )


def duplicated_certs(state: State, db: Database) -> Iterator[Finding]:
    seen: set[str] = set()
    for sha in db.tls.certificates:
        if sha in seen:
            yield Finding(
                "error",
                "duplicated-certs",
                f"certificate {sha[:12]}… is listed twice (the REST API refuses duplicated_certs)",
                "tls.certificates",
            )
        seen.add(sha)


def encryption_without_authentication(state: State, db: Database) -> Iterator[Finding]:
    if db.tls.enabled and not db.tls.enforce_client_auth:
        from .tls_effect import client_auth_effect

        yield Finding(
            "info",
            "no-client-auth",
            client_auth_effect(db.tls),
            "tls.enforce_client_auth",
        )


def replica_mode_without_source(state: State, db: Database) -> Iterator[Finding]:
    if (
        db.tls.enabled
        and db.tls.mode == TlsMode.REPLICA_OF
        and not db.replica_of
        and not db.replica_clusters
        and not db.is_active_active
    ):
        yield Finding(
            "warning",
            "replica-of-without-source",
            f"mode '{TlsMode.REPLICA_OF.label}' on a database that neither replicates from "
            "a source nor has clusters hosting its replicas: clients still connect in plain text",
            "tls.mode",
        )


DATABASE_RULES: tuple[Rule, ...] = (
    crdb_needs_active_active,
    aa_tls_toggle,
    missing_syncer_cert,
    replica_source_certificate,
    replica_source_plaintext,
    client_auth_without_certs,
    subject_checks_skipped,
    subject_names,
    duplicated_certs,
    encryption_without_authentication,
    replica_mode_without_source,
)


def min_tls_for_version(state: State) -> list[Finding]:
    """The minimum TLS version against the cluster's Redis Enterprise version: refused when
    that version does not accept it; a warning naming who refuses it when the version is
    not known."""
    value = state.cluster.min_data_tls_version
    where = "cluster.min_data_tls_version"
    if state.cluster.version:
        problem = min_tls_problem(state.cluster.version, value)
        return [Finding("error", "min-tls-refused", problem, where)] if problem else []
    refused_by = min_tls_refused_by(value)
    if not refused_by:
        return []
    return [
        Finding(
            "warning",
            "min-tls-version-dependent",
            f"minimum TLS version {value} is refused by {refused_by}; set the cluster's "
            "version (tls-wizard cluster config version X.Y.Z) to have it checked",
            where,
        )
    ]


def check_cluster(state: State) -> list[Finding]:
    findings = min_tls_for_version(state)
    version = state.cluster.min_data_tls_version
    if version in ("1", "1.1"):
        findings.append(
            Finding(
                "warning",
                "weak-min-tls",
                f"minimum TLS version {version} allows deprecated protocols; TLS 1.2 or newer is "
                "recommended",
                "cluster.min_data_tls_version",
            )
        )
    for role in ("proxy", "syncer"):
        if state.cluster.certificate(role) is None:
            findings.append(
                Finding(
                    "error",
                    "missing-cluster-cert",
                    f"the cluster has no {role} certificate",
                    f"cluster.{role}",
                )
            )
    return findings


def check_database(state: State, database: Database) -> list[Finding]:
    """Every database rule; each finding names the database and the field inside it."""
    return [
        replace(finding, database_name=database.name)
        for rule in DATABASE_RULES
        for finding in rule(state, database)
    ]


def check_state(state: State) -> list[Finding]:
    """Every rule over the whole state, errors first."""
    findings = check_cluster(state)
    for database in state.databases:
        findings.extend(check_database(state, database))
    return sort_findings(findings)


def introduced_errors(before: State | None, after: State) -> list[Finding]:
    """Errors in `after` that `before` did not have: what a change would be refused for.

    A change that fixes one error while others remain is accepted, so a state that was
    broken by hand can be repaired one command at a time.
    """
    old = set()
    if before is not None:
        old = {(f.code, f.where, f.message) for f in check_state(before) if f.severity == "error"}
    return [
        f
        for f in check_state(after)
        if f.severity == "error" and (f.code, f.where, f.message) not in old
    ]


def certificate_findings(state: State) -> list[Finding]:
    """The inspector's findings on every certificate the state holds, placed where it is used."""
    from .certificates import check, describe_pem

    findings: list[Finding] = []

    def placed(found: list[Finding], path: str, database_name: str | None = None) -> list[Finding]:
        return [replace(f, path=path, database_name=database_name) for f in found]

    for role in ("proxy", "syncer"):
        ref = state.cluster.certificate(role)
        if ref is None:
            continue
        chain = [describe_pem(state.certificates[sha]) for sha in [ref.certificate, *ref.chain]]
        findings.extend(placed(check(chain, role, fqdn=state.cluster.fqdn), f"cluster.{role}"))
    for database in state.databases:
        trusted = {
            sha: describe_pem(state.certificates[sha])
            for sha in database.tls.certificates
            if sha in state.certificates
        }
        for index, sha in enumerate(database.tls.certificates):
            if sha not in trusted:
                continue
            found = check([trusted[sha]], "client", alongside=list(trusted.values()))
            findings.extend(placed(found, f"tls.certificates[{index}]", database.name))
    return findings


def check_state_with_certificates(state: State) -> list[Finding]:
    """`check_state` plus the inspector's findings on every stored certificate."""
    return sort_findings(check_state(state) + certificate_findings(state))


def database_findings(state: State, name: str) -> list[Finding]:
    """Every finding (rules and inspector) placed in database `name`."""
    return [f for f in check_state_with_certificates(state) if f.database_name == name]


def findings_by_database(state: State) -> dict[str, list[Finding]]:
    """The findings of the whole state, grouped per database (one pass over the rules)."""
    grouped: dict[str, list[Finding]] = {d.name: [] for d in state.databases}
    for finding in check_state_with_certificates(state):
        if finding.database_name in grouped:
            grouped[finding.database_name].append(finding)
    return grouped
