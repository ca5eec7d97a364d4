"""Hostile names at the door: every command that takes a database or cluster name, the REST
import and the state file's load refuse a name Redis Enterprise would not accept, in one
line with no raw control character, and change nothing."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hostile import Payload, payloads, raw_controls, sample
from reliability_helpers import Run, folder_picture, in_process

from state.names import cluster_name_problem, database_name_problem
from state.workspace import init_state

DEMO = Path(__file__).parents[1] / "fixtures" / "demo"
ALL = payloads()
QUICK = sample(ALL, 9)


def corpus() -> list:
    """Every payload: a sample of each family in the quick run, the rest marked slow."""
    quick = {p.id for p in QUICK}
    return [pytest.param(p, id=p.id, marks=() if p.id in quick else pytest.mark.slow) for p in ALL]


def assert_inert(run: Run, what: str) -> None:
    """Refused, one line on stderr, no traceback, no byte a terminal would act on."""
    assert run.code == 1, f"{what}: exit {run.code}: {run.err!r}"
    assert "Traceback" not in run.err, what
    assert len(run.err.strip().splitlines()) == 1, f"{what}: {run.err!r}"
    assert raw_controls(run.out + run.err) == [], f"{what}: {run.out!r} {run.err!r}"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("names")
    shutil.copytree(DEMO, folder / "demo")
    return folder / "demo"


@pytest.fixture
def state(template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "s"
    shutil.copytree(template, folder)
    return folder / "tls-wizard.toml"


def test_every_payload_is_refused_by_the_name_rules():
    """The rules themselves: no payload is a database or cluster name (else the CLI
    tests below would prove nothing)."""
    accepted = [
        p.id
        for p in ALL
        if database_name_problem(f"db{p.text}") is None
        or cluster_name_problem(f"c{p.text}.example.com") is None
    ]
    assert accepted == []


@pytest.mark.parametrize("payload", corpus())
def test_names_given_to_commands(payload: Payload, state: Path, tmp_path: Path):
    name = f"db{payload.text}"
    syncer = str(DEMO / "samples" / "app1.pem")
    before = folder_picture(state.parent)
    commands = [
        ["db", "create", name, "--port", "13999"],
        ["db", "show", name],
        ["db", "tls", name, "--enable"],
        ["db", "remove", name],
        ["cluster", "participant", "add", name, "--syncer-cert", syncer],
        ["cluster", "participant", "remove", name],
    ]
    for command in commands:
        assert_inert(in_process("--state", str(state), *command), " ".join(command[:2]))
    assert folder_picture(state.parent) == before


@pytest.mark.parametrize("payload", corpus())
def test_cluster_names_given_to_init_and_import(payload: Payload, tmp_path: Path):
    name = f"c{payload.text}.example.com"
    fresh = tmp_path / "new"
    fresh.mkdir()
    runs = {
        "init --name": in_process("--state", str(fresh / "a.toml"), "init", "--name", name),
        "init --fqdn": in_process(
            "--state", str(fresh / "b.toml"), "init", "--name", "c.example.com", "--fqdn", name
        ),
    }
    bdbs = fresh.parent / "bdbs.json"
    bdbs.write_text(json.dumps([{"uid": 1, "name": f"db{payload.text}", "port": 12000}]))
    runs["import rest (bdb name)"] = in_process(
        "--state", str(fresh / "c.toml"), "import", "rest", "--bdbs", str(bdbs)
    )
    good = fresh.parent / "good.json"
    good.write_text(json.dumps([{"uid": 1, "name": "orders", "port": 12000}]))
    runs["import rest --name"] = in_process(
        "--state", str(fresh / "d.toml"), "import", "rest", "--bdbs", str(good), "--name", name
    )
    for what, run in runs.items():
        assert_inert(run, what)
    assert list(fresh.iterdir()) == [], "a refused init or import wrote files"


FIELDS = {
    "database name": lambda doc, v: doc["databases"][0].__setitem__("name", f"db{v}"),
    "cluster name": lambda doc, v: doc["cluster"].__setitem__("name", f"c{v}.example.com"),
    "cluster fqdn": lambda doc, v: doc["cluster"].__setitem__("fqdn", f"c{v}.example.com"),
    "participant name": lambda doc, v: doc["participants"][0].__setitem__("name", f"p{v}.com"),
}
READERS = [
    ["check"],
    ["db", "list"],
    ["db", "show", "orders"],
    ["cluster", "show"],
    ["export", "rest"],
    ["export", "rladmin"],
    [],  # the wizard's own start
]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("payload", corpus())
def test_a_state_file_with_a_bad_name_is_one_clear_message(
    payload: Payload, field: str, state: Path
):
    document = tomllib.loads(state.read_text())
    FIELDS[field](document, payload.text)
    state.write_text(tomli_w.dumps(document))
    before = folder_picture(state.parent)
    for command in READERS:
        run = in_process("--state", str(state), *command)
        assert_inert(run, " ".join(command) or "wizard start")
        assert "rename it in the state file" in run.err
    assert folder_picture(state.parent) == before


def test_names_redis_enterprise_accepts_are_accepted(tmp_path: Path):
    workspace = init_state(tmp_path / "s.toml", "cluster-1.example.com")
    assert workspace.state.cluster.name == "cluster-1.example.com"
    for number, name in enumerate(("a", "orders", "Orders-2", "x" * 63, "9lives")):
        run = in_process(
            "--state", str(tmp_path / "s.toml"), "db", "create", name, "--port", str(13000 + number)
        )
        assert run.code == 0, run.err
