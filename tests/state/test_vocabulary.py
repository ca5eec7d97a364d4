"""The vocabularies: every member has its words, every rendering reads them from the enum,
and the state file keeps the words it always held."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from state import store
from state.cli import build_parser
from state.enterprise.rest import database_body, tls_mode
from state.errors import StateFileError, WizardError
from state.model import Database, TlsSettings
from state.schema import from_document, to_document
from state.transitions import TlsUpdate, change_tls, create_database
from state.vocabulary import (
    CertificateRole,
    CertificateUse,
    DatabaseType,
    SubjectValidation,
    TlsMode,
    Vocabulary,
)

VOCABULARIES: list[type[Vocabulary]] = [
    TlsMode,
    SubjectValidation,
    DatabaseType,
    CertificateRole,
    CertificateUse,
]
DEMO = Path(__file__).parent.parent / "fixtures" / "demo" / "tls-wizard.toml"


@pytest.mark.parametrize("kind", VOCABULARIES, ids=lambda kind: kind.__name__)
def test_every_member_has_a_label_a_short_word_and_a_meaning(kind: type[Vocabulary]) -> None:
    for member in kind:
        assert member.label.strip() and member.short.strip() and member.meaning.strip()
    assert len({member.label for member in kind}) == len(kind)
    assert kind.values() == tuple(member.value for member in kind)


def test_the_state_file_words_are_the_values_it_always_held() -> None:
    assert TlsMode.values() == ("all", "replica-of", "crdb")
    assert SubjectValidation.values() == ("none", "san", "full-subject")
    assert DatabaseType.values() == ("standard", "active-active")
    assert CertificateRole.values() == ("proxy", "syncer")


def test_a_state_file_saves_byte_for_byte_as_it_was_read(tmp_path: Path) -> None:
    state = store.load(DEMO)
    assert {database.tls.mode for database in state.databases} == set(TlsMode)
    assert all(isinstance(database.tls.mode, TlsMode) for database in state.databases)
    path = tmp_path / "saved.toml"
    text = store.dumps(state)
    path.write_text(text)
    assert store.dumps(store.load(path)) == text
    for database in state.databases:
        assert f'mode = "{database.tls.mode.value}"' in text
        assert f'type = "{database.type.value}"' in text
    assert "TlsMode" not in text and "SubjectValidation" not in text


def test_the_model_holds_members_whoever_builds_it() -> None:
    tls = TlsSettings(mode="crdb", subject_validation="full-subject")  # type: ignore[arg-type]
    assert tls.mode is TlsMode.CRDB and tls.subject_validation is SubjectValidation.FULL_SUBJECT
    tls.mode = "replica-of"  # type: ignore[assignment]
    assert tls.mode is TlsMode.REPLICA_OF
    database = Database(uid=1, name="a", port=1, type="active-active")  # type: ignore[arg-type]
    assert database.type is DatabaseType.ACTIVE_ACTIVE and database.is_active_active


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "mode",
            "everything",
            "databases[0].tls.mode: 'everything' is not one of all, replica-of, crdb",
        ),
        (
            "subject_validation",
            "cn",
            "databases[0].tls.subject_validation: 'cn' is not one of none, san, full-subject",
        ),
    ],
)
def test_the_schema_names_a_wrong_word_and_the_words_it_takes(
    key: str, value: str, message: str
) -> None:
    state = store.load(DEMO)
    document = to_document(state)
    document["databases"][0]["tls"][key] = value
    with pytest.raises(StateFileError) as error:
        from_document(document)
    assert str(error.value) == message


def test_operations_check_words_with_the_same_message(tmp_path: Path) -> None:
    state = store.load(DEMO)
    name = state.databases[0].name
    with pytest.raises(
        WizardError, match=r"^mode 'everything' is not one of all, replica-of, crdb$"
    ):
        change_tls(state, name, TlsUpdate(mode="everything"))  # type: ignore[arg-type]
    with pytest.raises(WizardError, match=r"^type 'crdt' is not one of standard, active-active$"):
        create_database(state, "fresh", 19999, type="crdt")
    changed = change_tls(state, name, TlsUpdate(mode="replica-of"))  # type: ignore[arg-type]
    assert changed.databases[0].tls.mode is TlsMode.REPLICA_OF


def _choices(parser: argparse.ArgumentParser, *path: str, dest: str) -> tuple[str, ...]:
    for word in path:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[word]
    action = next(a for a in parser._actions if a.dest == dest)
    assert action.choices is not None
    return tuple(action.choices)


def test_cli_choices_are_the_enums_values() -> None:
    parser = build_parser()
    assert _choices(parser, "db", "tls", dest="mode") == TlsMode.values()
    assert _choices(parser, "db", "create", dest="type") == DatabaseType.values()
    assert _choices(parser, "cluster", "certificate", "set", dest="role") == (
        CertificateRole.values()
    )
    assert _choices(parser, "inspect", dest="context") == ("client", "ca", "proxy", "syncer")


def test_rest_values_read_back_to_the_same_member() -> None:
    for validation in SubjectValidation:
        assert SubjectValidation.from_rest(validation.rest_value) is validation
    for mode in TlsMode:
        aa = mode is TlsMode.CRDB
        assert TlsMode.from_rest(mode.rest_value, active_active=aa) is mode
    assert TlsMode.from_rest("disabled", active_active=False) is None
    assert TlsMode.rest_values() == ("enabled", "replica_ssl", "disabled")


def test_the_rest_body_uses_the_members_rest_values() -> None:
    state = store.load(DEMO)
    for database in state.databases:
        body = database_body(state, database)
        expected = database.tls.mode.rest_value if database.tls.enabled else "disabled"
        assert body["tls_mode"] == tls_mode(database) == expected
        if "client_cert_subject_validation_type" in body:
            assert (
                body["client_cert_subject_validation_type"]
                == database.tls.subject_validation.rest_value
            )
