"""Hostile files through the CLI: key_file paths out of the state's folder, things that are
not key files at `keys/NAME`, state files that are FIFOs, devices, giants or nested
100,000 levels deep, planted lock links, symlinked states, history files planted by
someone else, umask 000, and inits racing in one folder.

Every case must end in exit 1 with one clear line (or an error finding with its stable
code), with no traceback, no hang, no file written outside the state's folder and the
named output folder, and no byte of the key planted outside the state's folder (a working
copy of the proxy key) in any output or written file. The families are generated from a
seed (hostile_files.py): the quick form runs a few of each, the slow form many, and in
subprocesses as a script would.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import tomli_w
from hostile_files import (
    KEY_FILE_KINDS,
    SECRET_NAME,
    STATE_KINDS,
    KeyFileKind,
    StateKind,
    deep_state_kinds,
    key_file_strings,
)
from reliability_helpers import Run, child_env, cli, in_process

from state import store
from state.transitions import TlsUpdate, create_database
from state.workspace import Workspace, init_state

Runner = Callable[..., Run]
IS_ROOT = os.geteuid() == 0


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """A hang (a FIFO read, /dev/zero) fails the test instead of stopping the run."""

    def expired(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s: the tool blocked")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A state with one database, built once (key generation is slow)."""
    root = tmp_path_factory.mktemp("hostile-template")
    path = root / "state" / "tls-wizard.toml"
    path.parent.mkdir()
    ws = init_state(path, "cluster1.example.com")
    tls = TlsUpdate(enabled=True, mode="all", enforce_client_auth=False)
    ws.update(lambda s: create_database(s, "orders", 12000, tls=tls), "db")
    return root


@pytest.fixture
def case(template: Path, tmp_path: Path):
    """A fresh copy of the template per case, with the proxy key copied outside."""
    counter = iter(range(10_000))

    def make() -> tuple[Path, Path, bytes]:
        root = tmp_path / f"case-{next(counter)}"
        shutil.copytree(template, root, symlinks=True)
        state = root / "state" / "tls-wizard.toml"
        ws = Workspace.open(state)
        real = ws.read_key("proxy")
        outside = root / "outside"
        outside.mkdir()
        (outside / SECRET_NAME).write_bytes(real)
        (outside / "certificate.pem").write_text(
            ws.state.certificates[ws.state.cluster.proxy.certificate]
        )
        return root, state, real

    return make


def _files_under(folder: Path) -> dict[str, bytes]:
    found = {}
    for path in folder.rglob("*"):
        if stat.S_ISREG(path.lstat().st_mode):
            with path.open("rb") as handle:  # a sparse 8 GiB key is planted: read the start
                found[str(path)] = handle.read(1 << 20)
    return found


def _secret_lines(secret: bytes) -> list[str]:
    return [ln for ln in secret.decode().splitlines() if len(ln) >= 40]


class Problems:
    def __init__(self) -> None:
        self.found: list[str] = []

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.found.append(message)

    def assert_none(self) -> None:
        assert not self.found, f"{len(self.found)} problems:\n" + "\n".join(self.found[:25])


def _refused(done: Run, problems: Problems, label: str, *, one_line: bool = True) -> None:
    """Exit 1, no traceback, and (progress lines aside) one `tls-wizard:` error line."""
    problems.check("Traceback" not in done.out + done.err, f"{label}: traceback")
    problems.check(done.code == 1, f"{label}: exit {done.code}: {done.err[-300:]!r}")
    if one_line:
        errors = [ln for ln in done.lines if ln.startswith("tls-wizard:")]
        problems.check(len(errors) == 1, f"{label}: not one error line: {done.err[-400:]!r}")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A real redis-server on 127.0.0.1 for `apply redis`, which reads the key after it
    has connected; stopped at the end."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        assert server.poll() is None, "redis-server did not start"
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


COMMANDS = [
    ["export", "rladmin", "--out", "{out}"],
    ["export", "rest"],
    ["export", "rest", "--json"],
    ["apply", "enterprise", "--url", "https://127.0.0.1:9", "--user", "admin"],
    ["apply", "redis", "orders", "--url", "{redis}", "--dry-run"],
    ["apply", "redis", "orders", "--url", "{redis}", "--tls-dir", "{out}"],
]
"""Every command that reads, copies or sends the proxy key."""


def _commands(out: Path, redis: str) -> list[list[str]]:
    return [[arg.format(out=out, redis=redis) for arg in args] for args in COMMANDS]


def _no_leak(root: Path, before: dict[str, bytes], secret: bytes, outputs: str, problems, label):
    lines = _secret_lines(secret)
    problems.check(not any(ln in outputs for ln in lines), f"{label}: key bytes in the output")
    after = _files_under(root)
    for name, data in after.items():
        if name.startswith(str(root / "outside")):
            continue
        if name not in before and any(ln.encode() in data for ln in lines):
            problems.check(False, f"{label}: the outside key was copied to {name}")
    for name in set(after) - set(before):
        inside = name.startswith((str(root / "state"), str(root / "out")))
        problems.check(inside, f"{label}: wrote {name} outside the state and output folders")


def _set_key_file(state: Path, value: str) -> None:
    doc = tomllib.loads(state.read_text())
    doc["cluster"]["proxy"]["key_file"] = value
    state.write_text(tomli_w.dumps(doc))


@pytest.mark.parametrize(
    ("run", "count"),
    [
        pytest.param(in_process, 40, id="quick-in-process-40"),
        pytest.param(cli, 300, id="slow-subprocess-300", marks=pytest.mark.slow),
    ],
)
def test_key_file_paths_out_of_the_state_folder(
    run, count, case, redis_url, monkeypatch, reliability_report
):
    monkeypatch.setenv("TLS_WIZARD_PASSWORD", "x")
    problems = Problems()
    root, state, secret = case()
    (
        root / "state" / "keys" / Path(Workspace.open(state).state.cluster.proxy.key_file).name
    ).unlink()
    refused_at_load = 0
    values = list(key_file_strings(seed=count, count=count, root=root))
    for value in values:
        _set_key_file(state, value)
        before = _files_under(root)
        label = f"key_file={value[:60]!r}"
        outputs = ""
        with deadline(60):
            checked = run("--state", str(state), "check")
            outputs += checked.out + checked.err
            _refused(checked, problems, f"{label} / check", one_line=False)
            at_load = "[key-file-outside]" in checked.err
            refused_at_load += at_load
            problems.check(
                at_load or "[key-file-" in checked.out,
                f"{label} / check: no key-file finding: {checked.out[-300:]!r}{checked.err!r}",
            )
            for args in _commands(root / "out", redis_url):
                done = run("--state", str(state), *args)
                outputs += done.out + done.err
                _refused(done, problems, f"{label} / {args[0]} {args[1]}")
                problems.check("[key-file-" in done.err, f"{label} / {args}: {done.err!r}")
        problems.check(not (root / "out").exists(), f"{label}: the output folder was created")
        _no_leak(root, before, secret, outputs, problems, label)
    problems.assert_none()
    reliability_report(
        f"{len(values)} hostile key_file paths x {1 + len(COMMANDS)} commands: "
        f"{refused_at_load} refused at load [key-file-outside], the rest reported by check; "
        "no key read from outside the state's folder"
    )


def _kinds() -> list:
    return [
        pytest.param(
            kind,
            id=kind.name,
            marks=pytest.mark.skipif(kind.needs_root and not IS_ROOT, reason="mknod needs root"),
        )
        for kind in KEY_FILE_KINDS
    ]


@pytest.mark.parametrize("kind", _kinds())
def test_things_that_are_not_a_key_file(kind: KeyFileKind, case, redis_url, monkeypatch):
    """Each thing planted at the proxy's `keys/NAME`, through check and every command."""
    monkeypatch.setenv("TLS_WIZARD_PASSWORD", "x")
    problems = Problems()
    root, state, secret = case()
    key = root / "state" / Workspace.open(state).state.cluster.proxy.key_file
    key.unlink()
    kind.plant(key, root, secret)
    before = _files_under(root)
    outputs = ""
    with deadline(60):
        checked = in_process("--state", str(state), "check", "--json")
        outputs += checked.out + checked.err
        problems.check(checked.code == 1, f"check: exit {checked.code}: {checked.err!r}")
        codes = [c for c in kind.codes if f'"code": "{c}"' in checked.out]
        problems.check(bool(codes), f"check: none of {kind.codes} in {checked.out[-600:]!r}")
        problems.check('"where": "cluster.proxy.key_file"' in checked.out, "check: no where")
        for args in _commands(root / "out", redis_url):
            done = in_process("--state", str(state), *args)
            outputs += done.out + done.err
            _refused(done, problems, " ".join(args[:2]))
            problems.check(
                any(f"[{c}]" in done.err for c in kind.codes), f"{args[:2]}: {done.err!r}"
            )
    problems.check(not (root / "out").exists(), "the output folder was created")
    if kind.name in ("symlink inside the folder", "folder", "over 64 KiB", "sparse 8 GiB"):
        secret = b""  # the state folder holds the real key there on purpose
    _no_leak(root, before, secret, outputs, problems, kind.name)
    problems.assert_none()


def _state_kinds() -> list:
    return [
        pytest.param(
            kind,
            id=kind.name,
            marks=pytest.mark.skipif(kind.needs_root and not IS_ROOT, reason="mknod needs root"),
        )
        for kind in STATE_KINDS
    ]


STATE_COMMANDS = [["check"], ["db", "list"], ["history"], ["rollback", "1"], []]
"""[] starts the wizard: it must refuse the file in one line before any screen."""


@pytest.mark.parametrize("kind", _state_kinds())
def test_state_paths_that_are_not_state_files(kind: StateKind, template, tmp_path):
    problems = Problems()
    text = (template / "state" / "tls-wizard.toml").read_text()
    path = tmp_path / "tls-wizard.toml"
    kind.make(path, text)
    before = sorted(p.name for p in tmp_path.iterdir())
    with deadline(60):
        for args in STATE_COMMANDS:
            done = in_process("--state", str(path), *args)
            _refused(done, problems, f"{kind.name} / {args or 'the wizard'}")
            problems.check("MemoryError" not in done.err, f"{kind.name}: MemoryError")
    problems.check(sorted(p.name for p in tmp_path.iterdir()) == before, "files were created")
    problems.assert_none()


@pytest.mark.parametrize(("seed", "count"), [(11, 5), pytest.param(12, 30, marks=pytest.mark.slow)])
def test_deeply_nested_state_and_history_files(seed, count, template, tmp_path, reliability_report):
    """Nesting in the state refuses it everywhere (the wizard too); nesting in a history
    file is ignored with a note by `history` and refused by `rollback`."""
    problems = Problems()
    text = (template / "state" / "tls-wizard.toml").read_text()
    kinds = deep_state_kinds(seed, count)
    for index, kind in enumerate(kinds):
        folder = tmp_path / f"deep-{index}"
        folder.mkdir()
        path = folder / "tls-wizard.toml"
        kind.make(path, text)
        for args in STATE_COMMANDS:
            done = in_process("--state", str(path), *args)
            _refused(done, problems, f"{kind.name} / {args or 'the wizard'}")
            problems.check("nested" in done.err, f"{kind.name}: {done.err!r}")
        # The same nesting as a planted revision of a good state.
        good = folder / "good.toml"
        good.write_text(text)
        history = store.history_folder(good)
        history.mkdir(parents=True)
        kind.make(history / "good-000001.toml", text)
        (history / "good-000001.toml").chmod(0o600)
        listed = in_process("--state", str(good), "history")
        problems.check(listed.code == 0 and "note:" in listed.err, f"{kind.name}: {listed}")
        restored = in_process("--state", str(good), "rollback", "1")
        _refused(restored, problems, f"{kind.name} / rollback")
    problems.assert_none()
    reliability_report(
        f"{len(kinds)} state files nested up to 100,000 levels: refused in one line by check, "
        "db list, history, rollback and the wizard; as history files ignored with a note"
    )


def test_planted_lock_links_never_create_their_target(case):
    problems = Problems()
    root, state, _ = case()
    victims = [root / "outside" / "created", Path("/tmp") / f"tls-wizard-victim-{os.getpid()}"]
    passwd_copy = root / "outside" / "passwd"
    passwd_copy.write_text("root:x:0:0::/root:/bin/sh\n")
    for target in [*victims, passwd_copy]:
        lock = state.with_name(state.name + ".lock")
        lock.unlink(missing_ok=True)
        lock.symlink_to(target)
        done = in_process("--state", str(state), "db", "create", "more", "--port", "12001")
        _refused(done, problems, f"lock -> {target}")
        problems.check("symbolic link" in done.err, f"lock -> {target}: {done.err!r}")
        problems.check(lock.is_symlink(), "the planted link was replaced")
    for victim in victims:
        problems.check(not victim.exists(), f"{victim} was created")
    problems.check(passwd_copy.read_text() == "root:x:0:0::/root:/bin/sh\n", "target changed")
    problems.check(store.load(state).revision == 2, "the state changed")
    problems.assert_none()


@pytest.mark.parametrize("shape", ["absolute", "relative", "chain", "other-folder"])
def test_symlinked_state_files_are_written_through(shape: str, case, tmp_path):
    root, state, _ = case()
    links = root / "links"
    links.mkdir()
    link = links / "mine.toml"
    if shape == "absolute":
        link.symlink_to(state)
    elif shape == "relative":
        link.symlink_to(Path("..") / "state" / state.name)
    elif shape == "chain":
        middle = links / "middle.toml"
        middle.symlink_to(state)
        link.symlink_to(middle.name)
    else:
        other = tmp_path / "elsewhere"
        other.mkdir()
        link = other / "mine.toml"
        link.symlink_to(state)
    before = sorted(p.name for p in link.parent.iterdir())
    for args in (["db", "create", "more", "--port", "12001"], ["rollback", "2"], ["check"]):
        done = in_process("--state", str(link), *args)
        assert done.code == 0, (args, done.err)
    assert link.is_symlink()
    assert sorted(p.name for p in link.parent.iterdir()) == before
    saved = store.load(state)
    assert saved.revision == 4 and saved.database("more") is None
    assert [r.revision for r in store.history(link)] == [1, 2, 3, 4]


def _umask_run(umask: int, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "state.cli", *args],
        capture_output=True,
        timeout=120,
        env=child_env(),
        preexec_fn=lambda: os.umask(umask),
        check=False,
    )


def test_umask_000_creates_nothing_others_can_write(tmp_path: Path):
    root = tmp_path / "work"
    root.mkdir()
    state = root / "tls-wizard.toml"
    steps = [
        ["init", "--name", "cluster1.example.com"],
        ["db", "create", "orders", "--port", "12000"],
        ["db", "create", "cache", "--port", "12001"],
        ["cluster", "certificate", "request", "proxy", "--out", str(root / "req" / "a" / "b")],
        ["export", "rladmin", "--out", str(root / "out" / "c" / "d")],
    ]
    for args in steps:
        done = _umask_run(0, "--state", str(state), *args)
        assert done.returncode == 0, (args, done.stderr)
    problems = Problems()
    for path in [root, *root.rglob("*")]:
        if path == root:
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_dir():
            problems.check(mode == 0o700, f"{path}: folder {mode:04o}")
        else:
            problems.check(not mode & 0o022, f"{path}: {mode:04o} is writable by others")
            if path.suffix == ".key":
                problems.check(mode == 0o600, f"{path}: key {mode:04o}")
    problems.assert_none()


def _race(commands: list[list[str]]) -> list[subprocess.CompletedProcess]:
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "state.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(),
        )
        for args in commands
    ]
    results = []
    for args, process in zip(commands, processes, strict=True):
        out, err = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(args, process.returncode, out, err))
    return results


def _keys_all_match(folder: Path, state: Path, problems: Problems, label: str) -> None:
    ws = Workspace.open(state)
    problems.check(ws.key_findings() == [], f"{label}: {ws.key_findings()}")
    done = in_process("--state", str(state), "check")
    problems.check(done.code == 0, f"{label}: check exit {done.code}: {done.out[-300:]}")


@pytest.mark.parametrize(
    ("rounds", "racers"), [(2, 4), pytest.param(10, 6, marks=pytest.mark.slow)]
)
def test_concurrent_inits_never_lose_a_key(rounds, racers, tmp_path, reliability_report):
    """Real processes racing: `init` of one state file (one wins, the others are refused
    and leave no key behind), and `init` of several states in one folder (all win)."""
    problems = Problems()
    for round_ in range(rounds):
        folder = tmp_path / f"same-{round_}"
        folder.mkdir()
        state = folder / "tls-wizard.toml"
        results = _race(
            [["--state", str(state), "init", "--name", f"c{i}.example.com"] for i in range(racers)]
        )
        codes = sorted(r.returncode for r in results)
        problems.check(codes == [0] + [1] * (racers - 1), f"round {round_}: exits {codes}")
        for result in results:
            problems.check(b"Traceback" not in result.stderr, f"round {round_}: traceback")
        _keys_all_match(folder, state, problems, f"round {round_} (one state)")
        keys = sorted(p.name for p in (folder / "keys").iterdir())
        ws = Workspace.open(state)
        used = sorted(
            Path(ws.state.cluster.certificate(r).key_file).name for r in ("proxy", "syncer")
        )
        problems.check(keys == used, f"round {round_}: stray keys {keys} (used {used})")

        shared = tmp_path / f"shared-{round_}"
        shared.mkdir()
        states = [shared / f"s{i}.toml" for i in range(racers)]
        results = _race(
            [
                ["--state", str(s), "init", "--name", f"s{i}.example.com"]
                for i, s in enumerate(states)
            ]
        )
        problems.check(all(r.returncode == 0 for r in results), f"round {round_}: shared failed")
        for path in states:
            _keys_all_match(shared, path, problems, f"round {round_} {path.name}")
        problems.check(len(list((shared / "keys").iterdir())) == 2 * racers, "keys missing")
    problems.assert_none()
    reliability_report(
        f"{rounds} rounds of {racers} racing inits of one state (1 wins, no stray key) and of "
        f"{racers} states in one folder (every state's keys match its certificates)"
    )


def _special_paths(root: Path, real_cert: bytes) -> list[tuple[str, Path]]:
    """Paths typed into the paste dialog that are not certificate files."""
    fifo = root / "pipe.pem"
    os.mkfifo(fifo)
    linked_fifo = root / "link-to-pipe.pem"
    linked_fifo.symlink_to(fifo)
    folder = root / "folder.pem"
    folder.mkdir()
    sparse = root / "sparse.pem"
    with sparse.open("wb") as handle:
        handle.write(real_cert)
        handle.truncate(4 * 1024 * 1024 * 1024)
    zero = root / "zero.pem"
    zero.symlink_to("/dev/zero")
    return [
        ("FIFO", fifo),
        ("link to a FIFO", linked_fifo),
        ("/dev/zero", Path("/dev/zero")),
        ("link to /dev/zero", zero),
        ("/dev/stdin", Path("/dev/stdin")),
        ("folder", folder),
        ("sparse 4 GiB", sparse),
    ]


@pytest.mark.anyio
async def test_paste_dialog_paths_to_special_files_never_block(template, tmp_path):
    """Each path typed into the paste dialog gets one message and Save stays disabled;
    the worker never blocks, so the wizard still exits at once afterwards."""
    from textual import events
    from textual.widgets import Button, Static, TextArea

    from tui.app import WizardApp
    from tui.dialogs.paste import PasteCertificatesDialog

    root = tmp_path / "case"
    shutil.copytree(template, root, symlinks=True)
    state = root / "state" / "tls-wizard.toml"
    ws = Workspace.open(state)
    cert = ws.state.certificates[ws.state.cluster.proxy.certificate].encode()
    paths = _special_paths(tmp_path, cert)
    problems = Problems()
    app = WizardApp(state, cursor_blink=False)
    started = time.monotonic()
    with deadline(240):
        async with app.run_test(size=(100, 32)) as pilot:
            dialog = PasteCertificatesDialog("Add certificates", "client")
            await app.push_screen(dialog)
            await pilot.pause()
            area = dialog.query_one(TextArea)
            for what, path in paths:
                area.load_text("")
                area.focus()
                app.post_message(events.Paste(str(path)))
                await pilot.pause()
                if app.workers:
                    await app.workers.wait_for_complete()
                    await pilot.pause()
                preview = str(dialog.query_one("#paste-certificates", Static).render())
                problems.check("✗" in preview, f"{what}: no refusal shown: {preview[:120]!r}")
                problems.check(dialog.query_one("#save", Button).disabled, f"{what}: Save on")
            await pilot.press("escape")
            await pilot.pause()
            app.exit()
    problems.check(time.monotonic() - started < 120, "the wizard took too long to exit")
    problems.check(app.return_code in (None, 0), f"the app failed: {app.return_code}")
    problems.assert_none()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_history_screen_ignores_planted_and_nested_history(template, tmp_path):
    """The History screen lists only trusted revisions of this state: a nested one, one
    of another cluster and one others may write are left out, and the wizard exits 0."""
    from textual.widgets import DataTable

    from tui.app import WizardApp
    from tui.screens.history import HistoryScreen

    root = tmp_path / "case"
    shutil.copytree(template, root, symlinks=True)
    state = root / "state" / "tls-wizard.toml"
    text = state.read_text()
    history = store.history_folder(state)
    trusted = sorted(p.name for p in history.iterdir())
    deep = deep_state_kinds(seed=3, count=3)[2]  # 100,000 levels
    deep.make(history / "tls-wizard-000007.toml", text)
    (history / "tls-wizard-000008.toml").write_text(
        text.replace('"cluster1.example.com"', '"evil.example.com"', 1)
    )
    writable = history / "tls-wizard-000009.toml"
    writable.write_text(text.replace("revision = 2", "revision = 9", 1))
    writable.chmod(0o666)
    for planted in ("tls-wizard-000007.toml", "tls-wizard-000008.toml"):
        (history / planted).chmod(0o600)
    app = WizardApp(state, cursor_blink=False)
    with deadline(240):
        async with app.run_test(size=(100, 32)) as pilot:
            await app.push_screen(HistoryScreen())
            await pilot.pause()
            table = app.screen.query_one(DataTable)
            keys = [row.value for row in table.rows]
            app.exit()
    assert keys == ["1", "2"], (keys, trusted)
    assert app.return_code in (None, 0)


FILE_ARGUMENTS = [
    ["db", "tls", "orders", "--add-cert", "{file}"],
    ["inspect", "{file}"],
    ["inspect", "{cert}", "--key", "{file}"],
    ["inspect", "{cert}", "--trust", "{file}"],
    ["cluster", "certificate", "set", "proxy", "certificate_file", "{file}", "key_file", "{key}"],
    ["cluster", "certificate", "set", "proxy", "certificate_file", "{cert}", "key_file", "{file}"],
    ["--state", "{new}", "import", "rest", "--bdbs", "{file}"],
    ["apply", "redis", "orders", "--url", "{redis}", "--password-file", "{file}"],
]
"""Every command-line argument that names a file the tool reads."""


def test_file_arguments_that_are_not_files(template, tmp_path, redis_url):
    """FIFOs, devices, folders and sparse giants given where a file is read: one line each,
    exit 1, never a hang or a MemoryError, and the state unchanged."""
    root = tmp_path / "case"
    shutil.copytree(template, root, symlinks=True)
    state = root / "state" / "tls-wizard.toml"
    ws = Workspace.open(state)
    cert = root / "cert.pem"
    cert.write_text(ws.state.certificates[ws.state.cluster.proxy.certificate])
    key = root / "key.pem"
    key.write_bytes(ws.read_key("proxy"))
    before = state.read_bytes()
    problems = Problems()
    for what, path in _special_paths(tmp_path, cert.read_bytes()):
        for template_args in FILE_ARGUMENTS:
            args = [
                a.format(file=path, cert=cert, key=key, redis=redis_url, new=root / "new.toml")
                for a in template_args
            ]
            if args[0] != "--state":
                args = ["--state", str(state), *args]
            label = f"{what} / {' '.join(template_args[:3])}"
            with deadline(60):
                done = in_process(*args)
            # inspect reports what it read as findings on stdout (exit 1), not as one line
            _refused(done, problems, label, one_line=template_args[0] != "inspect")
            problems.check("MemoryError" not in done.err, f"{label}: MemoryError")
    problems.check(state.read_bytes() == before, "the state changed")
    problems.check(not (root / "new.toml").exists(), "an import was written")
    problems.assert_none()
