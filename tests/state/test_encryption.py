"""The data key file: 32 random bytes, mode 0600, never overwritten, never half-written."""

from __future__ import annotations

import stat

import pytest

from state.encryption import (
    DATA_KEY_BYTES,
    generate_data_key_file,
    load_data_key,
    python_example,
)
from state.errors import WizardError


def test_generates_a_256_bit_key_readable_only_by_its_owner(tmp_path):
    path = generate_data_key_file(tmp_path / "data.key")
    assert path.read_bytes().__len__() == DATA_KEY_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_data_key(path) == path.read_bytes()


def test_two_keys_differ(tmp_path):
    first = generate_data_key_file(tmp_path / "a.key").read_bytes()
    second = generate_data_key_file(tmp_path / "b.key").read_bytes()
    assert first != second


def test_refuses_to_overwrite_an_existing_key(tmp_path):
    path = generate_data_key_file(tmp_path / "data.key")
    before = path.read_bytes()
    with pytest.raises(WizardError, match="already exists; it was not overwritten"):
        generate_data_key_file(path)
    assert path.read_bytes() == before


def test_creates_a_missing_folder_private_to_its_owner(tmp_path):
    path = generate_data_key_file(tmp_path / "keys" / "data.key")
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(path.read_bytes()) == DATA_KEY_BYTES


def test_no_temporary_file_is_left_behind(tmp_path):
    generate_data_key_file(tmp_path / "data.key")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.key"]


def test_a_folder_that_is_a_file_is_one_clear_error(tmp_path):
    (tmp_path / "keys").write_text("not a folder")
    with pytest.raises(WizardError, match="keys"):
        generate_data_key_file(tmp_path / "keys" / "data.key")


def test_load_refuses_a_file_of_the_wrong_size(tmp_path):
    short = tmp_path / "short.key"
    short.write_bytes(b"0" * 16)
    with pytest.raises(WizardError, match="16 bytes, not a 32-byte"):
        load_data_key(short)


def test_load_names_a_missing_file(tmp_path):
    with pytest.raises(WizardError, match="cannot read the data key"):
        load_data_key(tmp_path / "missing.key")


def test_the_example_is_valid_python_with_and_without_tls():
    for tls in (True, False):
        compile(python_example("keys/data.key", "db.example.com", 12000, tls=tls), "x", "exec")


def test_the_example_names_the_connection_it_was_given():
    text = python_example("k.key", "db.example.com", 12345, tls=True, ca_file="my-ca.pem")
    assert 'Path("k.key")' in text
    assert 'host="db.example.com"' in text
    assert "port=12345" in text
    assert 'ssl_ca_certs="my-ca.pem"' in text
    assert "ssl=True" not in python_example(tls=False)


def test_without_a_client_certificate_the_example_has_no_client_files():
    text = python_example(tls=True, cert_file=None, cert_key_file=None)
    assert "ssl_certfile" not in text
    assert "ssl_ca_certs" in text


def test_what_the_screen_says_the_server_still_sees_holds_for_the_example_scheme():
    """The example stores nonce + AESGCM(value, associated data = the key name): the size
    grows by VALUE_OVERHEAD, and a value copied under another name does not decrypt."""
    import os

    import pytest
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from state.encryption import NONCE_BYTES, STAYS_VISIBLE, VALUE_OVERHEAD

    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    value = b"4111 1111 1111 1111"
    nonce = os.urandom(NONCE_BYTES)
    blob = nonce + aead.encrypt(nonce, value, b"card:1")
    assert len(blob) - len(value) == VALUE_OVERHEAD
    assert aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], b"card:1") == value
    with pytest.raises(InvalidTag):
        aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], b"card:2")
    assert f"plus {VALUE_OVERHEAD} bytes" in dict(STAYS_VISIBLE)["Sizes"]
