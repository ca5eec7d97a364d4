"""The closed sets of words the state file stores, each a `StrEnum` that carries its words.

A member's value is what the state file holds (so files load and save byte for byte as
before); `label` is the admin console's words for it, `short` a table cell, `meaning` one
sentence for a screen or `--help`. The REST values, rladmin words, CLI choices and screen
labels are all read from here, so a new mode or kind is added in one place.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple, Self


class Words(NamedTuple):
    """How one member is said: the console's label, a short cell, what it means."""

    label: str
    short: str
    meaning: str


class Vocabulary(StrEnum):
    """A member of one of the closed sets below; `words` is defined by each set."""

    @property
    def words(self) -> Words:
        raise NotImplementedError

    @property
    def label(self) -> str:
        return self.words.label

    @property
    def short(self) -> str:
        return self.words.short

    @property
    def meaning(self) -> str:
        return self.words.meaning

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """The state file's words, in order: CLI `choices` and the "one of ..." messages."""
        return tuple(member.value for member in cls)

    @classmethod
    def parse(cls, text: str) -> Self | None:
        """The member whose value is `text`, or None (the caller says what was expected)."""
        try:
            return cls(text)
        except ValueError:
            return None


class TlsMode(Vocabulary):
    """The console's "Require TLS for ..." choice."""

    ALL = "all"
    REPLICA_OF = "replica-of"
    CRDB = "crdb"

    @property
    def words(self) -> Words:
        return _TLS_MODE_WORDS[self]

    @property
    def effect(self) -> str:
        """What the mode does to the traffic (`db show`, the rules' notes)."""
        return _TLS_MODE_EFFECTS[self][0]

    @property
    def peers(self) -> str:
        """Who presents a certificate when client authentication is enforced."""
        return _TLS_MODE_EFFECTS[self][1]

    @property
    def link(self) -> str:
        """What is encrypted, said of the link TLS protects."""
        return _TLS_MODE_EFFECTS[self][2]

    @property
    def rest_value(self) -> str:
        """The bdb object's `tls_mode` when TLS is on: `enabled` means all communications,
        `replica_ssl` replication only (Replica Of, or CRDB for an Active-Active database)."""
        return REST_ON if self is TlsMode.ALL else "replica_ssl"

    @classmethod
    def rest_values(cls) -> tuple[str, ...]:
        """Every `tls_mode` the bdb object takes: the modes' values, then `disabled`."""
        return (*dict.fromkeys(member.rest_value for member in cls), REST_OFF)

    @classmethod
    def from_rest(cls, value: str, active_active: bool) -> TlsMode | None:
        """The mode a bdb's `tls_mode` means (None for `disabled`): `replica_ssl` is CRDB
        only on an Active-Active database and Replica Of only on any other."""
        if value == REST_OFF:
            return None
        if value == TlsMode.ALL.rest_value:
            return TlsMode.ALL
        return TlsMode.CRDB if active_active else TlsMode.REPLICA_OF


REST_ON, REST_OFF = "enabled", "disabled"
"""The bdb object's on/off words (`enforce_client_authentication`; `tls_mode` when off)."""


def rest_switch(on: bool) -> str:
    return REST_ON if on else REST_OFF


_TLS_MODE_WORDS = {
    TlsMode.ALL: Words(
        "Require TLS for All Communications",
        "all",
        "clients and replication both connect with TLS; plain-text connections are refused.",
    ),
    TlsMode.REPLICA_OF: Words(
        "Require TLS for Replica Of Only",
        "Replica Of",
        "only replication between databases (Replica Of) is encrypted; clients may still "
        "connect in plain text.",
    ),
    TlsMode.CRDB: Words(
        "Require TLS for CRDB communication only",
        "CRDB",
        "only the synchronization between the participating clusters of this Active-Active "
        "database is encrypted.",
    ),
}

_TLS_MODE_EFFECTS = {
    TlsMode.ALL: (
        "clients and replication connect with TLS only; plain-text connections are refused",
        "clients",
        "traffic is encrypted",
    ),
    TlsMode.REPLICA_OF: (
        "clients connect in plain text (not encrypted); only the Replica Of replication "
        "link uses TLS",
        "replicas",
        "the replication link is encrypted",
    ),
    TlsMode.CRDB: (
        "clients connect in plain text (not encrypted); only the synchronization between "
        "the participating clusters uses TLS",
        "participating clusters",
        "the synchronization between clusters is encrypted",
    ),
}


class SubjectValidation(Vocabulary):
    """Which extra check a trusted client certificate's subject must pass."""

    NONE = "none"
    SAN = "san"
    FULL_SUBJECT = "full-subject"

    @property
    def words(self) -> Words:
        return _SUBJECT_VALIDATION_WORDS[self]

    @property
    def rest_value(self) -> str:
        """The bdb object's `client_cert_subject_validation_type`."""
        return _SUBJECT_VALIDATION_REST[self]

    @classmethod
    def from_rest(cls, value: str) -> SubjectValidation | None:
        """The member whose REST value is `value`, or None."""
        return next((member for member in cls if member.rest_value == value), None)

    @classmethod
    def rest_values(cls) -> tuple[str, ...]:
        return tuple(member.rest_value for member in cls)


_SUBJECT_VALIDATION_WORDS = {
    SubjectValidation.NONE: Words(
        "off", "off", "any certificate the database trusts may connect, whatever its subject."
    ),
    SubjectValidation.SAN: Words(
        "SAN or CN",
        "SAN/CN",
        "the certificate's SAN DNS names or CN must equal one of the authorized names.",
    ),
    SubjectValidation.FULL_SUBJECT: Words(
        "full subject",
        "full subject",
        "the certificate's CN, O, OU, L, ST and C must all match one authorized subject.",
    ),
}

_SUBJECT_VALIDATION_REST = {
    SubjectValidation.NONE: REST_OFF,
    SubjectValidation.SAN: "san_cn",
    SubjectValidation.FULL_SUBJECT: "full_subject",
}


class DatabaseType(Vocabulary):
    """A database on one cluster, or an Active-Active (CRDB) database across several."""

    STANDARD = "standard"
    ACTIVE_ACTIVE = "active-active"

    @property
    def words(self) -> Words:
        return _DATABASE_TYPE_WORDS[self]

    @classmethod
    def of_crdt(cls, crdt: bool) -> DatabaseType:
        """The type of a bdb object from its `crdt` flag."""
        return cls.ACTIVE_ACTIVE if crdt else cls.STANDARD


_DATABASE_TYPE_WORDS = {
    DatabaseType.STANDARD: Words(
        "standard", "standard", "a database on this cluster (it may replicate with Replica Of)."
    ),
    DatabaseType.ACTIVE_ACTIVE: Words(
        "Active-Active",
        "active-active",
        "one database on several participating clusters, kept in sync by their syncers.",
    ),
}


class CertificateRole(Vocabulary):
    """The cluster's own certificates; the value is the name rladmin and REST use."""

    PROXY = "proxy"
    SYNCER = "syncer"

    @property
    def words(self) -> Words:
        return _CERTIFICATE_ROLE_WORDS[self]


_CERTIFICATE_ROLE_WORDS = {
    CertificateRole.PROXY: Words(
        "Proxy certificate", "proxy", "client connections to every database"
    ),
    CertificateRole.SYNCER: Words(
        "Syncer certificate", "syncer", "replication: Replica Of, Active-Active"
    ),
}


class CertificateUse(Vocabulary):
    """What a pasted certificate is for: the inspector's checks differ by use."""

    ANY = "any"
    CLIENT = "client"
    CA = "ca"
    PROXY = "proxy"
    SYNCER = "syncer"

    @property
    def words(self) -> Words:
        return _CERTIFICATE_USE_WORDS[self]

    @classmethod
    def specific(cls) -> tuple[str, ...]:
        """The uses a caller may name (`inspect --as`); without one, `any` applies."""
        return tuple(use.value for use in cls if use is not cls.ANY)


_CERTIFICATE_USE_WORDS = {
    CertificateUse.CLIENT: Words(
        "a database's client certificate or CA", "client", "trusted by a database"
    ),
    CertificateUse.CA: Words("a certificate authority", "CA", "signs the certificates trusted"),
    CertificateUse.PROXY: Words("the proxy certificate", "proxy", CertificateRole.PROXY.meaning),
    CertificateUse.SYNCER: Words(
        "the syncer certificate", "syncer", CertificateRole.SYNCER.meaning
    ),
    CertificateUse.ANY: Words("any use", "any", "checked for what every use needs"),
}
