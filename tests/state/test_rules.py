"""Every rule, passing and failing, over states built in memory."""

from __future__ import annotations

import pytest

from state.model import Cluster, Database, Participant, ReplicaSource, State, TlsSettings
from state.names import name_problem, parse_name_list
from state.rules import check_state, introduced_errors

SYNCER_2 = "2" * 64
SYNCER_3 = "3" * 64
CLIENT = "c" * 64
PROXY_2 = "d" * 64


def make_state(*databases: Database, min_tls: str = "1.2") -> State:
    state = State(
        cluster=Cluster("cluster1.example.com", "cluster1.example.com", min_tls),
        participants=[
            Participant("cluster2.example.com", SYNCER_2),
            Participant("cluster3.example.com", SYNCER_3),
        ],
        databases=list(databases),
    )
    from state.model import ClusterCertificate

    state.cluster.proxy = ClusterCertificate("a" * 64, "keys/proxy.key")
    state.cluster.syncer = ClusterCertificate("b" * 64, "keys/syncer.key")
    return state


def tls(**kwargs) -> TlsSettings:
    settings = TlsSettings(enabled=True, certificates=[CLIENT])
    for key, value in kwargs.items():
        setattr(settings, key, value)
    return settings


def codes(state: State) -> set[str]:
    return {f.code for f in check_state(state)}


def error_codes(state: State) -> set[str]:
    return {f.code for f in check_state(state) if f.severity == "error"}


def test_a_clean_state_has_no_findings():
    state = make_state(Database(1, "orders", 12000, tls=tls()))
    assert check_state(state) == []


def test_crdb_needs_active_active():
    standard = make_state(Database(1, "orders", 12000, tls=tls(mode="crdb")))
    assert "crdb-needs-active-active" in error_codes(standard)
    aa = make_state(
        Database(
            1,
            "orders",
            12000,
            type="active-active",
            participants=["cluster2.example.com"],
            created_with_tls=True,
            tls=tls(mode="crdb", certificates=[SYNCER_2]),
        )
    )
    assert "crdb-needs-active-active" not in codes(aa)


@pytest.mark.parametrize(
    ("created", "enabled", "refused"),
    [(True, True, False), (False, False, False), (False, True, True), (True, False, True)],
)
def test_aa_tls_cannot_be_toggled_after_creation(created, enabled, refused):
    database = Database(
        1,
        "aa",
        12000,
        type="active-active",
        participants=["cluster2.example.com"],
        created_with_tls=created,
        tls=tls(enabled=enabled, mode="crdb", certificates=[SYNCER_2]),
    )
    findings = [f for f in check_state(make_state(database)) if f.code == "aa-tls-toggle"]
    assert bool(findings) == refused
    if refused:
        assert findings[0].where == "databases.aa.tls.enabled"


def test_aa_tls_configuration_can_still_change():
    database = Database(
        1,
        "aa",
        12000,
        type="active-active",
        participants=["cluster2.example.com"],
        created_with_tls=True,
        tls=tls(mode="all", certificates=[SYNCER_2], enforce_client_auth=False),
    )
    assert "aa-tls-toggle" not in codes(make_state(database))


def test_missing_syncer_cert_for_active_active_names_the_cluster():
    database = Database(
        1,
        "aa",
        12000,
        type="active-active",
        participants=["cluster2.example.com", "cluster3.example.com"],
        created_with_tls=True,
        tls=tls(mode="crdb", certificates=[SYNCER_2]),
    )
    findings = [f for f in check_state(make_state(database)) if f.code == "missing-syncer-cert"]
    assert len(findings) == 1
    assert "cluster3.example.com" in findings[0].message
    database.tls.certificates.append(SYNCER_3)
    assert "missing-syncer-cert" not in codes(make_state(database))


def test_missing_syncer_cert_for_an_unknown_participant():
    database = Database(
        1,
        "aa",
        12000,
        type="active-active",
        participants=["cluster9.example.com"],
        created_with_tls=True,
        tls=tls(mode="crdb"),
    )
    findings = [f for f in check_state(make_state(database)) if f.code == "missing-syncer-cert"]
    assert findings and "cluster9.example.com is unknown" in findings[0].message


def test_a_source_must_trust_the_syncer_of_every_cluster_hosting_a_replica():
    """The documented direction: the SOURCE database trusts each replica cluster's syncer."""
    database = Database(
        1,
        "orders",
        12000,
        replica_clusters=["cluster2.example.com", "cluster3.example.com"],
        tls=tls(mode="replica-of"),
    )
    findings = [f for f in check_state(make_state(database)) if f.code == "missing-syncer-cert"]
    assert [f.severity for f in findings] == ["error", "error"]
    assert "cluster2.example.com" in findings[0].message
    assert "cluster3.example.com" in findings[1].message
    assert "general settings" in findings[0].message
    database.tls.certificates.append(SYNCER_2)
    findings = [f for f in check_state(make_state(database)) if f.code == "missing-syncer-cert"]
    assert len(findings) == 1 and "cluster3.example.com" in findings[0].message
    database.tls.certificates.append(SYNCER_3)
    assert "missing-syncer-cert" not in codes(make_state(database))


def test_a_replica_cluster_may_be_this_cluster_whose_own_syncer_is_then_trusted():
    database = Database(
        1, "orders", 12000, replica_clusters=["cluster1.example.com"], tls=tls(mode="all")
    )
    assert "missing-syncer-cert" in error_codes(make_state(database))
    database.tls.certificates.append("b" * 64)
    assert "missing-syncer-cert" not in codes(make_state(database))


def test_an_unknown_replica_cluster_is_named():
    database = Database(
        1, "orders", 12000, replica_clusters=["cluster9.example.com"], tls=tls(mode="all")
    )
    findings = [f for f in check_state(make_state(database)) if f.code == "missing-syncer-cert"]
    assert findings and "cluster9.example.com is unknown" in findings[0].message


def test_a_replica_never_needs_its_source_clusters_syncer():
    """The old, inverted rule asked the replica to trust the source's syncer certificate."""
    database = Database(
        1,
        "copy",
        12000,
        replica_sources=[ReplicaSource("redis-1.cluster2.example.com:12000", True, PROXY_2)],
        tls=tls(mode="replica-of"),
    )
    assert "missing-syncer-cert" not in codes(make_state(database))


def test_no_syncer_needed_without_tls_or_without_client_authentication():
    database = Database(
        1,
        "orders",
        12000,
        replica_clusters=["cluster2.example.com"],
        tls=TlsSettings(enabled=False),
    )
    assert "missing-syncer-cert" not in codes(make_state(database))
    database.tls = tls(enforce_client_auth=False)
    assert "missing-syncer-cert" not in codes(make_state(database))


def test_an_encrypted_source_needs_the_source_clusters_proxy_certificate():
    source = ReplicaSource("redis-1.cluster2.example.com:12000", encryption=True)
    database = Database(1, "copy", 12000, replica_sources=[source])
    findings = [
        f for f in check_state(make_state(database)) if f.code == "replica-source-without-cert"
    ]
    assert [f.severity for f in findings] == ["error"]
    assert "proxy certificate" in findings[0].message
    assert findings[0].where == "databases.copy.replica_of[0].server_certificate"
    source.server_certificate = PROXY_2
    assert "replica-source-without-cert" not in codes(make_state(database))


def test_a_plaintext_source_is_a_note_unless_the_source_is_known_to_require_tls():
    remote = Database(
        1,
        "copy",
        12001,
        replica_sources=[ReplicaSource("redis-1.cluster2.example.com:12000")],
    )
    findings = [f for f in check_state(make_state(remote)) if f.code == "replica-source-plaintext"]
    assert [f.severity for f in findings] == ["info"]
    assert "--encryption --server-cert" in findings[0].message
    source = Database(1, "orders", 12000, tls=tls(mode="replica-of"))
    local = Database(
        2, "copy", 12001, replica_sources=[ReplicaSource("redis-1.cluster1.example.com:12000")]
    )
    findings = [
        f for f in check_state(make_state(source, local)) if f.code == "replica-source-plaintext"
    ]
    assert [f.severity for f in findings] == ["error"]
    assert "orders" in findings[0].message
    source.tls.enabled = False
    assert "replica-source-plaintext" not in error_codes(make_state(source, local))
    source.tls.enabled = True
    local.replica_sources[0].encryption = True
    local.replica_sources[0].server_certificate = PROXY_2
    assert "replica-source-plaintext" not in codes(make_state(source, local))


def test_replica_of_mode_on_a_source_with_replica_clusters_is_not_without_source():
    database = Database(1, "orders", 12000, tls=tls(mode="replica-of"))
    assert "replica-of-without-source" in codes(make_state(database))
    database.replica_clusters = ["cluster2.example.com"]
    database.tls.certificates.append(SYNCER_2)
    assert "replica-of-without-source" not in codes(make_state(database))


def test_client_auth_without_certs():
    database = Database(1, "orders", 12000, tls=tls(certificates=[]))
    assert "client-auth-without-certs" in error_codes(make_state(database))
    database.tls.enforce_client_auth = False
    assert "client-auth-without-certs" not in codes(make_state(database))
    assert "no-client-auth" in codes(make_state(database))


def test_empty_san_list():
    database = Database(1, "orders", 12000, tls=tls(subject_validation="san"))
    assert "empty-san-list" in error_codes(make_state(database))
    database.tls.authorized_names = ["app1.example.com"]
    assert "empty-san-list" not in codes(make_state(database))
    database.tls.subject_validation = "full-subject"
    assert "empty-san-list" in error_codes(make_state(database))
    database.tls.authorized_subjects = [{"CN": "app1"}]
    assert "empty-san-list" not in codes(make_state(database))


@pytest.mark.parametrize(
    "name",
    [
        "app.example.com",
        "*.example.com",
        "10.0.0.1",
        "::1",
        "ops@example.com",
        "spiffe://example.org/app",
        "localhost",
    ],
)
def test_good_names(name):
    assert name_problem(name) is None
    database = Database(
        1, "orders", 12000, tls=tls(subject_validation="san", authorized_names=[name])
    )
    assert "bad-name" not in codes(make_state(database))


@pytest.mark.parametrize(
    "name",
    [
        "app..example.com",
        "a*.example.com",
        "example.*.com",
        "not a name",
        "-bad.example.com",
        "x@",
        "",
        " padded.example.com",
        "http:/x",
    ],
)
def test_bad_names(name):
    assert name_problem(name) is not None
    database = Database(
        1, "orders", 12000, tls=tls(subject_validation="san", authorized_names=[name])
    )
    assert "bad-name" in error_codes(make_state(database))


def test_duplicate_names_are_a_bad_name():
    database = Database(
        1,
        "orders",
        12000,
        tls=tls(subject_validation="san", authorized_names=["a.example.com", "A.example.com"]),
    )
    assert "bad-name" in error_codes(make_state(database))


def test_parse_name_list_trims_drops_empties_and_collapses():
    assert parse_name_list(" a.example.com, ,b.example.com,a.example.com ,") == [
        "a.example.com",
        "b.example.com",
    ]
    assert parse_name_list("") == []


@pytest.mark.parametrize(
    ("version", "warned"), [("1", True), ("1.1", True), ("1.2", False), ("1.3", False)]
)
def test_weak_min_tls(version, warned):
    findings = [f for f in check_state(make_state(min_tls=version)) if f.code == "weak-min-tls"]
    assert bool(findings) == warned
    assert all(f.severity == "warning" for f in findings)


def test_duplicated_certs():
    database = Database(1, "orders", 12000, tls=tls(certificates=[CLIENT, CLIENT]))
    assert "duplicated-certs" in error_codes(make_state(database))


def test_introduced_errors_ignores_errors_that_were_already_there():
    broken = Database(1, "broken", 12000, tls=tls(certificates=[]))
    before = make_state(broken)
    after = before.copy()
    after.databases.append(Database(2, "fine", 12001))
    assert introduced_errors(before, after) == []
    worse = after.copy()
    worse.database("fine").tls = tls(mode="crdb")
    assert [f.code for f in introduced_errors(after, worse)] == ["crdb-needs-active-active"]


# -- names and subject checks as the product applies them ------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("10.0.0.7", "IP address"),
        ("::1", "IP address"),
        ("ops@example.com", "e-mail address"),
        ("spiffe://td/app1", "URI"),
        ("*.apps.example.com", "wildcard"),
    ],
)
def test_names_san_validation_never_matches_are_flagged(name, kind):
    state = make_state(
        Database(1, "db", 12000, tls=tls(subject_validation="san", authorized_names=[name]))
    )
    found = [f for f in check_state(state) if f.code == "name-never-matched"]
    assert len(found) == 1 and found[0].severity == "warning" and kind in found[0].message
    plain = make_state(
        Database(
            1, "db", 12000, tls=tls(subject_validation="san", authorized_names=["app1.example"])
        )
    )
    assert "name-never-matched" not in codes(plain)


def test_a_trusted_leaf_with_subject_validation_is_an_error():
    from state.certificates.issue import SubjectFields, certificate_authority, issue_certificate

    ca = certificate_authority("Rules CA")
    leaf = issue_certificate(ca, SubjectFields(cn="app1.example.com"), sans=["app1.example.com"])
    from state.certificates import describe_pem

    ca_info, leaf_info = describe_pem(ca.pem.decode()), describe_pem(leaf.pem.decode())

    def state_with(*infos, validation="san", enforce=True):
        settings = tls(
            certificates=[i.sha256 for i in infos],
            subject_validation=validation,
            authorized_names=["app1.example.com"],
            enforce_client_auth=enforce,
        )
        state = make_state(Database(1, "db", 12000, tls=settings))
        state.certificates = {i.sha256: i.pem for i in infos}
        return state

    found = [
        f
        for f in check_state(state_with(ca_info, leaf_info))
        if f.code == "leaf-skips-subject-checks"
    ]
    assert len(found) == 1 and found[0].severity == "error"
    assert "CN=app1.example.com" in found[0].message
    assert "leaf-skips-subject-checks" not in codes(state_with(ca_info))
    assert "leaf-skips-subject-checks" not in codes(state_with(leaf_info, validation="none"))
    assert "leaf-skips-subject-checks" not in codes(state_with(leaf_info, enforce=False))
