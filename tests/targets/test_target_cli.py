"""The apply/verify command line without a server: usage errors exit 2, bad input is one
line and exit 1, and a URL's password never reaches the output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from state.cli import main
from state.demo import build_demo
from state.errors import WizardError
from state.targets.redis_apply import AdminConnection, check_url


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo")).parent


@pytest.fixture
def state(demo_template: Path, tmp_path: Path) -> str:
    shutil.copytree(demo_template, tmp_path / "demo")
    return str(tmp_path / "demo" / "tls-wizard.toml")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit:
        code = int(exit.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_certificate_without_its_key_is_a_usage_error(state, capsys):
    code, _, err = run(
        capsys,
        "--state",
        state,
        "verify",
        "orders",
        "--host",
        "h",
        "--port",
        "1",
        "--client-cert",
        "a.pem",
    )
    assert code == 2 and "--client-key" in err


def test_a_port_out_of_range_is_a_usage_error(state, capsys):
    code, _, err = run(capsys, "--state", state, "verify", "orders", "--host", "h", "--port", "0")
    assert code == 2 and "not a port" in err


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("127.0.0.1:6379", "must look like redis://HOST:PORT"),
        ("redis://", "must look like redis://HOST:PORT"),
        ("redis://host:99999", "is not a valid URL"),
    ],
)
def test_bad_urls_are_one_line_and_exit_1(state, capsys, url, message):
    code, out, err = run(capsys, "--state", state, "apply", "redis", "orders", "--url", url)
    assert code == 1 and message in err and out == ""
    assert err.count("\n") == 1


def test_apply_is_registered_as_a_group_others_can_extend(state, capsys):
    code, out, _ = run(capsys, "apply", "--help")
    assert code == 0 and "redis" in out


@given(st.text(max_size=80))
def test_check_url_refuses_anything_with_a_wizard_error(text):
    try:
        check_url(text)
    except WizardError as error:
        assert str(error)
    else:
        assert text.startswith(("redis://", "rediss://"))


def test_the_password_is_masked():
    admin = AdminConnection("redis://:s3cret@127.0.0.1:6379/0")
    assert "s3cret" not in admin.safe_url and admin.safe_url.startswith("redis://:***@127.0.0.1")
    assert AdminConnection("redis://127.0.0.1:6379").safe_url == "redis://127.0.0.1:6379"
