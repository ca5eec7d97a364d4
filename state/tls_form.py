"""The TLS form of one database as the wizard edits it: every edit stays pending until Update.

The screens hold a `TlsForm`, change its fields as the user goes through the steps, and at
Review turn it into a new state with the same operations the CLI uses (`change_tls`, then
`add_participant_syncer` for each syncer certificate ticked in the checklist). Nothing here
knows about Textual, so the form's logic is tested without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

from .certificates import CertificateInfo, describe_pem
from .errors import WizardError
from .model import (
    SUBJECT_FIELDS,
    TLS_VOCABULARY,
    Database,
    ReplicaSource,
    State,
    Subject,
    TlsSettings,
    set_as_member,
    subject_text,
)
from .names import name_problem, never_matched, parse_name_list
from .rules import required_syncer_clusters
from .transitions import (
    SourceUpdate,
    TlsUpdate,
    add_participant_syncer,
    change_replica_clusters,
    change_source,
    change_tls,
)
from .vocabulary import SubjectValidation, TlsMode


class SourceRow(NamedTuple):
    """A Replica Of source in the Certificates step's checklist."""

    uri: str
    encryption: bool
    certificate_label: str | None
    """The source cluster's proxy certificate (or its CA) as the inspector names it."""


class SyncerRow(NamedTuple):
    """A cluster whose syncer certificate the database needs."""

    cluster: str
    known: bool
    """A known participant (its syncer certificate is in the state)."""
    trusted: bool
    """Its syncer certificate is in the form's trusted list."""


class NameRow(NamedTuple):
    """One trusted certificate in the Names step's table, judged as the cluster would."""

    sha256: str
    label: str
    names: str
    verdict: str


class ParsedSubjects(NamedTuple):
    """An authorized-subject list as typed: the subjects it names and what is wrong in it."""

    subjects: list[Subject]
    problems: list[str]


def parse_subject_list(text: str) -> ParsedSubjects:
    """Authorized subjects for full-subject validation: `CN=a,O=b; CN=c` -> dicts, problems.

    Subjects are separated by semicolons, fields by commas; each field is one of
    CN, O, OU, L, ST, C (any case) and CN is required. OU may repeat (`OU=a,OU=b`): a
    certificate with several units is matched by a subject listing all of them. Values
    are kept as written (full-subject matching is case-sensitive).
    """
    subjects: list[Subject] = []
    problems: list[str] = []
    for raw in text.split(";"):
        entry = raw.strip()
        if not entry:
            continue
        subject: Subject = {}
        for part in entry.split(","):
            part = part.strip()
            if not part:
                continue
            key, sep, value = part.partition("=")
            key = key.strip().upper()
            if not sep or key not in SUBJECT_FIELDS:
                problems.append(
                    f"{part!r}: write fields as KEY=value with KEY one of {', '.join(SUBJECT_FIELDS)}"
                )
                continue
            if not value.strip():
                problems.append(f"{key} has no value in {entry!r}")
                continue
            if key == "OU":
                units = subject.setdefault("OU", [])
                assert isinstance(units, list)
                units.append(value.strip())
            elif key in subject:
                problems.append(f"{key} appears twice in {entry!r}; only OU may repeat")
            else:
                subject[key] = value.strip()
        if subject and "CN" not in subject:
            problems.append(f"{entry!r} has no CN; every authorized subject needs one")
        if subject and subject not in subjects:
            subjects.append(subject)
    return ParsedSubjects(subjects, problems)


def subjects_text(subjects: list[Subject]) -> str:
    return "; ".join(subject_text(s) for s in subjects)


def name_list_problems(text: str) -> list[str]:
    """Why entries of a comma-separated name list are not acceptable (empty list: none)."""
    return [p for p in (name_problem(n) for n in parse_name_list(text)) if p]


def name_list_warnings(text: str) -> list[str]:
    """Entries SAN validation never matches (IP, e-mail, URI, wildcard): valid, but useless."""
    return [w for w in (never_matched(n) for n in parse_name_list(text)) if w]


_EDITED_AS_TEXT = {"authorized_names": "names_text", "authorized_subjects": "subjects_text"}
_REPLAYED_FIELDS = tuple(
    _EDITED_AS_TEXT.get(name, name) for name in TlsSettings.field_names() if name != "certificates"
)
"""The form's fields a rebase replays as a whole: every TLS field (the name lists as the
text typed), in TlsSettings' order; the certificate list is merged instead."""


@dataclass(slots=True)
class TlsForm:
    """What the wizard's five steps edit for one database, before Update saves it."""

    database_name: str
    enabled: bool
    mode: TlsMode
    enforce_client_auth: bool
    certificates: list[str]
    subject_validation: SubjectValidation
    names_text: str
    subjects_text: str
    pasted: dict[str, CertificateInfo] = field(default_factory=dict)
    syncers: list[str] = field(default_factory=list)
    replica_clusters: list[str] = field(default_factory=list)
    sources: list[ReplicaSource] = field(default_factory=list)

    def __setattr__(self, name: str, value: object) -> None:
        set_as_member(TLS_VOCABULARY, self, name, value)

    @classmethod
    def from_state(cls, state: State, name: str) -> TlsForm:
        database = state.require_database(name)
        tls = database.tls
        return cls(
            database_name=name,
            enabled=tls.enabled,
            mode=tls.mode,
            enforce_client_auth=tls.enforce_client_auth,
            certificates=list(tls.certificates),
            subject_validation=tls.subject_validation,
            names_text=", ".join(tls.authorized_names),
            subjects_text=subjects_text(tls.authorized_subjects),
            replica_clusters=list(database.replica_clusters),
            sources=[replace(source) for source in database.replica_sources],
        )

    # -- certificates -----------------------------------------------------------------

    def add_certificates(self, certificates: list[CertificateInfo]) -> list[str]:
        """Add pasted certificates; returns a note for each one skipped as already listed."""
        skipped = []
        for certificate in certificates:
            if certificate.sha256 in self.certificates:
                skipped.append(f"{certificate.label} is already in the list")
                continue
            self.pasted[certificate.sha256] = certificate
            self.certificates.append(certificate.sha256)
        return skipped

    def remove_certificate(self, sha: str) -> None:
        self.certificates = [s for s in self.certificates if s != sha]
        self.pasted.pop(sha, None)

    def add_syncer(self, state: State, cluster: str) -> str:
        """Tick a participant's syncer certificate in the checklist; returns its SHA-256."""
        sha = state.syncer_certificate_of(cluster)
        if sha is None:
            raise WizardError(
                f"cluster {cluster!r} is not a known participant; add it with its syncer "
                "certificate on the cluster certificates screen (c)"
            )
        if sha not in self.certificates:
            self.certificates.append(sha)
        if cluster not in self.syncers:
            self.syncers.append(cluster)
        return sha

    # -- Replica Of: the source side (replica clusters) and the replica side (sources) ------

    def set_replica_clusters(self, state: State, clusters: list[str]) -> None:
        """Name the clusters hosting a replica of this database; each must be known."""
        unknown = [c for c in clusters if not state.known_cluster(c)]
        if unknown:
            raise WizardError(
                f"cluster {unknown[0]!r} is not a known participant; add it with its syncer "
                "certificate on the cluster certificates screen (c)"
            )
        self.replica_clusters = list(dict.fromkeys(clusters))

    def _source(self, uri: str) -> ReplicaSource:
        for source in self.sources:
            if source.uri == uri:
                return source
        raise WizardError(f"database {self.database_name!r} has no Replica Of source {uri!r}")

    def toggle_source_encryption(self, uri: str) -> bool:
        source = self._source(uri)
        source.encryption = not source.encryption
        return source.encryption

    def set_source_certificate(self, uri: str, certificate: CertificateInfo) -> None:
        """The source cluster's proxy certificate, as pasted (checked again at Update)."""
        self._source(uri).server_certificate = certificate.sha256
        self.pasted[certificate.sha256] = certificate

    def source_checklist(self, state: State) -> list[SourceRow]:
        """One row per Replica Of source, as the Certificates step lists them."""
        rows: list[SourceRow] = []
        for source in self.sources:
            label = None
            sha = source.server_certificate
            if sha in self.pasted:
                label = self.pasted[sha].label
            elif sha and sha in state.certificates:
                label = describe_pem(state.certificates[sha]).label
            rows.append(SourceRow(source.uri, source.encryption, label))
        return rows

    def syncer_checklist(self, state: State) -> list[SyncerRow]:
        """One row for every cluster whose syncer certificate the database needs."""
        database = state.database(self.database_name)
        if database is None:
            return []
        rows: list[SyncerRow] = []
        needed = (
            required_syncer_clusters(state, database)
            if database.is_active_active
            else list(self.replica_clusters)
        )
        for cluster in needed:
            sha = state.syncer_certificate_of(cluster)
            rows.append(
                SyncerRow(cluster, sha is not None, sha is not None and sha in self.certificates)
            )
        return rows

    # -- the result ---------------------------------------------------------------------

    def names(self) -> list[str]:
        return parse_name_list(self.names_text)

    def subjects(self) -> list[Subject]:
        return parse_subject_list(self.subjects_text).subjects

    def name_rows(self, state: State, certificates: list[CertificateInfo]) -> list[NameRow]:
        """The Names step's table: one row per trusted certificate,
        judged as the cluster's `san_cn` / `full_subject` validation would judge it."""
        from .certificates import client_verdict

        database = state.database(self.database_name)
        syncers: set[str] = set()
        if database is not None and database.is_active_active:
            syncers = {p.syncer_certificate for p in state.participants}
            if state.cluster.syncer is not None:
                syncers.add(state.cluster.syncer.certificate)
        leaf_trusted = self.enforce_client_auth and any(
            c.role == "leaf" and c.sha256 not in syncers for c in certificates
        )
        names, subjects = self.names(), self.subjects()
        rows: list[NameRow] = []
        for certificate in certificates:
            shown = ", ".join(certificate.sans) or f"CN={certificate.subject_cn or ''}"
            verdict = client_verdict(
                certificate, self.subject_validation, names, subjects, leaf_trusted
            )
            if not self.enforce_client_auth and self.subject_validation != SubjectValidation.NONE:
                verdict = "not checked: client authentication is off"
            rows.append(NameRow(certificate.sha256, certificate.label, shown, verdict))
        return rows

    def pending_tls(self, saved: TlsSettings) -> TlsSettings:
        """The TLS settings this form would save over `saved`. With subject validation off
        the name lists are not edited (Update keeps, then clears, the saved ones)."""
        off = self.subject_validation == SubjectValidation.NONE
        return TlsSettings(
            enabled=self.enabled,
            mode=self.mode,
            enforce_client_auth=self.enforce_client_auth,
            certificates=list(self.certificates),
            subject_validation=self.subject_validation,
            authorized_names=list(saved.authorized_names) if off else self.names(),
            authorized_subjects=list(saved.authorized_subjects) if off else self.subjects(),
        )

    def _saved(self, state: State) -> Database:
        database = state.database(self.database_name)
        if database is None:
            raise WizardError(f"database {self.database_name!r} is no longer in the state")
        return database

    def change(self, state: State) -> TlsUpdate:
        """The fields that differ from the saved database, as one `change_tls` update."""
        tls = self._saved(state).tls
        pending = self.pending_tls(tls)
        change = TlsUpdate()
        for name in tls.changed_fields(pending):
            if name == "certificates":
                syncer_shas = self._syncer_shas(state)
                change.remove_certificates = [
                    s for s in tls.certificates if s not in pending.certificates
                ]
                change.add_certificates = [
                    self.pasted[s]
                    for s in pending.certificates
                    if s not in tls.certificates and s in self.pasted and s not in syncer_shas
                ]
            else:
                setattr(change, name, getattr(pending, name))
        return change

    def _syncer_shas(self, state: State) -> set[str]:
        shas = set()
        for cluster in self.syncers:
            sha = state.syncer_certificate_of(cluster)
            if sha is not None:
                shas.add(sha)
        return shas

    def apply(self, state: State) -> State:
        """The state after Update: the same operations `tls-wizard db tls` runs."""
        change = self.change(state)
        new_state = (
            change_tls(state, self.database_name, change) if not change.is_empty() else state
        )
        new_state = self._apply_replica_of(state, new_state)
        for cluster in self.syncers:
            if state.syncer_certificate_of(cluster) in self.certificates:
                new_state = add_participant_syncer(new_state, self.database_name, cluster)
        return new_state

    def _apply_replica_of(self, saved: State, new_state: State) -> State:
        """The replica clusters and each source changed in the form, through the same
        operations as `db replicas` and `db source`."""
        database = saved.database(self.database_name)
        assert database is not None
        added = [c for c in self.replica_clusters if c not in database.replica_clusters]
        removed = [c for c in database.replica_clusters if c not in self.replica_clusters]
        if added or removed:
            new_state = change_replica_clusters(
                new_state, self.database_name, add=added, remove=removed
            )
        for source in self.sources:
            before = database.source(source.uri)
            if before is None or before == source:
                continue
            certificate = None
            sha = source.server_certificate
            if sha and sha != before.server_certificate:
                certificate = self.pasted.get(sha) or describe_pem(saved.certificates[sha])
            new_state = change_source(
                new_state,
                self.database_name,
                SourceUpdate(
                    source.uri, encryption=source.encryption, server_certificate=certificate
                ),
            )
        return new_state

    def is_dirty(self, state: State) -> bool:
        """True when Update would change something (what "leave without saving?" asks about)."""
        database = state.database(self.database_name)
        if database is None:
            return False
        try:
            after = self.apply(state).database(self.database_name)
        except WizardError:
            return True
        return after != database

    def rebase(self, old: State, new: State) -> TlsForm:
        """The same edits on a newer saved state (after a reload): what the user changed
        against `old` is replayed on `new`, so another writer's changes are kept."""
        base = TlsForm.from_state(old, self.database_name)
        form = TlsForm.from_state(new, self.database_name)
        for name in _REPLAYED_FIELDS:
            if getattr(self, name) != getattr(base, name):
                setattr(form, name, getattr(self, name))
        removed = [s for s in base.certificates if s not in self.certificates]
        form.certificates = [s for s in form.certificates if s not in removed]
        for sha in self.certificates:
            if sha not in base.certificates and sha not in form.certificates:
                form.certificates.append(sha)
        form.pasted = dict(self.pasted)
        form.syncers = list(self.syncers)
        if self.replica_clusters != base.replica_clusters:
            form.replica_clusters = list(self.replica_clusters)
        if self.sources != base.sources:
            form.sources = [replace(source) for source in self.sources]
        return form

    def describe(self, state: State) -> str:
        """One line for the history: what this Update changes."""
        database = state.database(self.database_name)
        if database is None:
            return f"db tls {self.database_name}"
        tls = database.tls
        pending = self.pending_tls(tls)
        changed = tls.changed_fields(pending)
        parts = []
        if "enabled" in changed:
            parts.append("enable TLS" if pending.enabled else "disable TLS")
        if "mode" in changed:
            parts.append(f"mode {pending.mode}")
        if "enforce_client_auth" in changed:
            parts.append("client auth " + ("on" if pending.enforce_client_auth else "off"))
        added = len([s for s in pending.certificates if s not in tls.certificates])
        removed = len([s for s in tls.certificates if s not in pending.certificates])
        if added:
            parts.append(f"+{added} certificate{'s' if added != 1 else ''}")
        if removed:
            parts.append(f"-{removed} certificate{'s' if removed != 1 else ''}")
        if self.replica_clusters != database.replica_clusters:
            parts.append("replica clusters " + (", ".join(self.replica_clusters) or "none"))
        for source in self.sources:
            if database.source(source.uri) != source:
                encryption = "encryption" if source.encryption else "no encryption"
                parts.append(f"source {source.uri} {encryption}")
        validation = pending.subject_validation
        if "subject_validation" in changed:
            parts.append(f"subject validation {validation}")
        elif validation == SubjectValidation.SAN and "authorized_names" in changed:
            parts.append("authorized names " + ",".join(pending.authorized_names))
        elif validation == SubjectValidation.FULL_SUBJECT and "authorized_subjects" in changed:
            parts.append("authorized subjects")
        return f"db tls {self.database_name}: " + (", ".join(parts) or "no change")
