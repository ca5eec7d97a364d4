"""Replacing a cluster certificate step by step, and exporting one: the core behind the
cluster screen, tested without it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from state import clock
from state.certificates import describe_pem, read_certificates
from state.certificates.issue import SubjectFields, certificate_authority, sign_csr
from state.cluster_replace import (
    check_import,
    create_request,
    import_findings,
    looks_like_path,
    read_key_file,
    subject_field_problem,
    subject_problems,
)
from state.errors import WizardError
from state.export_files import export_cluster_certificate
from state.workspace import Workspace


@pytest.fixture
def workspace(initialized: Path) -> Workspace:
    return Workspace.open(initialized)


@pytest.fixture(scope="module")
def ca():
    return certificate_authority("Replace Test CA")


def test_a_request_writes_a_private_key_and_a_csr_in_a_fresh_folder(workspace) -> None:
    clock.set_now("2026-12-01T12:00:00Z")
    try:
        first = create_request(workspace, "proxy", SubjectFields(cn="c.example.com", country="DE"))
        second = create_request(workspace, "proxy", SubjectFields(cn="c.example.com"))
    finally:
        clock.set_now(None)
    assert first.key_path.parent != second.key_path.parent, "a retry never meets the old key"
    assert first.key_path.parent.name == "proxy-20261201-120000"
    assert stat.S_IMODE(first.key_path.stat().st_mode) == 0o600
    assert "BEGIN CERTIFICATE REQUEST" in first.csr_pem


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        (SubjectFields(cn=""), "Common Name"),
        (SubjectFields(cn="x", country="USA"), "two-letter"),
        (SubjectFields(cn="x", country="1A"), "two-letter"),
    ],
)
def test_a_bad_subject_writes_nothing(workspace, subject, message) -> None:
    with pytest.raises(WizardError, match=message):
        create_request(workspace, "proxy", subject)
    assert not (workspace.folder / "requests").exists()


def test_signed_with_its_key_the_import_has_no_errors_and_installs(workspace, ca) -> None:
    request = create_request(workspace, "syncer", SubjectFields(cn=workspace.state.cluster.fqdn))
    signed = sign_csr(ca, request.csr_pem.encode())
    chain = read_certificates(signed + ca.pem)
    key_pem = read_key_file(request.key_path)
    findings = import_findings(workspace, "syncer", chain, key_pem)
    assert not [f for f in findings if f.severity == "error"], findings
    state, _ = workspace.set_cluster_certificate("syncer", chain, key_pem)
    assert state.certificate_pem("syncer") == signed.decode() + ca.pem.decode()


def test_another_key_is_a_key_mismatch(workspace, ca) -> None:
    request = create_request(workspace, "proxy", SubjectFields(cn=workspace.state.cluster.fqdn))
    signed = sign_csr(ca, request.csr_pem.encode())
    other_key = workspace.read_key("proxy")
    findings = import_findings(workspace, "proxy", read_certificates(signed + ca.pem), other_key)
    assert "key-mismatch" in {f.code for f in findings if f.severity == "error"}


def test_missing_server_auth_is_an_error_for_the_proxy(workspace, ca) -> None:
    request = create_request(workspace, "proxy", SubjectFields(cn=workspace.state.cluster.fqdn))
    signed = sign_csr(ca, request.csr_pem.encode(), eku=("clientAuth",))
    findings = import_findings(
        workspace, "proxy", [describe_pem(signed.decode())], read_key_file(request.key_path)
    )
    assert "missing-server-auth" in {f.code for f in findings if f.severity == "error"}


def test_read_key_file_refuses_what_is_not_a_key(tmp_path: Path, ca) -> None:
    certificate = tmp_path / "cert.pem"
    certificate.write_bytes(ca.pem)
    with pytest.raises(WizardError):
        read_key_file(certificate)
    with pytest.raises(WizardError, match="no such key file"):
        read_key_file(tmp_path / "missing.key")
    with pytest.raises(WizardError, match="folder"):
        read_key_file(tmp_path)


def test_export_writes_the_pem_and_never_overwrites(workspace, tmp_path: Path) -> None:
    target = export_cluster_certificate(workspace.state, "syncer", tmp_path)
    assert target.name == f"{workspace.state.cluster.fqdn}-syncer.pem"
    assert target.read_text() == workspace.state.certificate_pem("syncer")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    target.write_text("kept")
    with pytest.raises(WizardError, match="not overwritten"):
        export_cluster_certificate(workspace.state, "syncer", target)
    assert target.read_text() == "kept"
    export_cluster_certificate(workspace.state, "syncer", target, overwrite=True)
    assert target.read_text() == workspace.state.certificate_pem("syncer")


def test_export_into_a_missing_folder_is_one_clear_error(workspace, tmp_path: Path) -> None:
    with pytest.raises(WizardError, match="no such folder"):
        export_cluster_certificate(workspace.state, "proxy", tmp_path / "nope" / "p.pem")


@pytest.mark.parametrize(
    ("subject", "problems"),
    [
        (SubjectFields(cn="c.example.com", country="de"), []),
        (SubjectFields(cn="  c.example.com ", country=" US "), []),
        (SubjectFields(cn=""), ["CN: the Common Name is required"]),
        (
            SubjectFields(cn="   ", country="USA"),
            ["CN: the Common Name is required", "C: two letters, such as US"],
        ),
        (SubjectFields(cn="x", country="1A"), ["C: two letters, such as US"]),
        (SubjectFields(cn="x", country="ÄB"), ["C: two letters, such as US"]),
    ],
)
def test_subject_problems_name_each_field_the_csr_could_not_carry(subject, problems) -> None:
    assert subject_problems(subject) == problems


def test_create_request_refuses_exactly_what_the_form_flags(workspace) -> None:
    """The form and the operation share one rule: a non-ASCII country is refused by both."""
    subject = SubjectFields(cn="x", country="ÄB")
    assert subject_field_problem("country", subject.country)
    with pytest.raises(WizardError, match="two-letter"):
        create_request(workspace, "proxy", subject)


@pytest.mark.parametrize(
    ("text", "is_path"),
    [
        ("signed.pem", True),
        ("  certs/signed.pem\n", True),
        ("", False),
        ("-----BEGIN CERTIFICATE-----", False),
        ("line one\nline two", False),
    ],
)
def test_looks_like_path_tells_a_file_name_from_pasted_pem(text: str, is_path: bool) -> None:
    assert looks_like_path(text) is is_path


def test_check_import_reads_a_path_from_the_state_folder_and_runs_the_install_checks(
    workspace, ca
) -> None:
    request = create_request(workspace, "syncer", SubjectFields(cn=workspace.state.cluster.fqdn))
    signed = sign_csr(ca, request.csr_pem.encode())
    (workspace.folder / "signed.pem").write_bytes(signed + ca.pem)
    result = check_import(workspace, "syncer", "signed.pem", request.key_path)
    assert result.problem == "" and result.certificates and result.refusal == ""
    assert check_import(workspace, "syncer", "signed.pem", None).refusal == (
        "give the key file that signed the CSR"
    )
    assert check_import(workspace, "syncer", "", request.key_path).refusal == (
        "paste the signed certificate (and its chain) first"
    )
    missing = check_import(workspace, "syncer", "missing.pem", request.key_path)
    assert missing.problem and not missing.certificates
