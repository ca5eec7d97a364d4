"""`python -m tui.screenshots DIR`: an SVG of every screen and dialog, for the README.

Each `Shot` says how to reach one picture from the home screen of the demo state, with
keys as a user would press them. The snapshot tests drive the same shots, so the README's
pictures and the tested screens cannot drift apart.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from state.workspace import Workspace

from .app import WizardApp

SMALL = (80, 24)
LARGE = (120, 40)
SIZES = (SMALL, LARGE)
"""Every shot is taken at both: the 80x24 the README promises and a big terminal."""
WIDE = (160, 45)
TALL = (200, 60)

Steps = Callable[[Pilot], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Shot:
    name: str
    description: str
    steps: Steps
    sizes: tuple[tuple[int, int], ...] = SIZES
    needs_state: bool = True
    other_screens: bool = False
    """True for the cluster, protocols, inspector and encryption screens (tested elsewhere)."""


def workspace(pilot: Pilot) -> Workspace:
    """The state file the shot's wizard has open."""
    app = pilot.app
    assert isinstance(app, WizardApp) and app.workspace is not None
    return app.workspace


def samples(pilot: Pilot) -> Path:
    return workspace(pilot).folder / "samples"


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def paste(pilot: Pilot, text: str) -> None:
    focused = pilot.app.focused
    assert isinstance(focused, TextArea)
    # As the driver delivers it: to the app, which forwards it to the focused widget.
    pilot.app.post_message(events.Paste(text))
    await settle(pilot)


async def open_database(pilot: Pilot, name: str, *steps: str) -> None:
    await press(pilot, "slash", *name, "enter", *steps)


def keys(*names: str) -> Steps:
    async def run(pilot: Pilot) -> None:
        await press(pilot, *names)

    return run


def wizard(name: str, *names: str) -> Steps:
    async def run(pilot: Pilot) -> None:
        await open_database(pilot, name, *names)

    return run


def focus_then(selector: str, *names: str, database: str = "orders", steps: int = 0) -> Steps:
    async def run(pilot: Pilot) -> None:
        await open_database(pilot, database, *["ctrl+n"] * steps)
        pilot.app.screen.query_one(selector).focus()
        await press(pilot, *names)

    return run


def paste_shot(text_of: Callable[[Pilot], str]) -> Steps:
    async def run(pilot: Pilot) -> None:
        await open_database(pilot, "orders", "ctrl+n", "ctrl+n", "a")
        text = text_of(pilot)
        if text:
            await paste(pilot, text)

    return run


async def stale(pilot: Pilot) -> None:
    from state import store

    await open_database(pilot, "orders")
    pilot.app.screen.query_one("#client-auth").focus()
    await press(pilot, "space")
    path = workspace(pilot).path
    other = store.load(path)
    other.cluster.min_data_tls_version = "1.3"
    store.save(path, other, base_revision=other.revision, change="another writer")
    await press(pilot, "ctrl+s", "ctrl+s")


async def new_database_filled(pilot: Pilot) -> None:
    await press(pilot, "n", *"payments")
    pilot.app.screen.query_one("#tls").focus()
    await press(pilot, "space")
    pilot.app.screen.query_one("#add-certificates").focus()
    await press(pilot, "enter")
    await paste(pilot, (samples(pilot) / "demo-ca.pem").read_text())
    await press(pilot, "ctrl+s")


async def new_database_errors(pilot: Pilot) -> None:
    await press(pilot, "n", *"orders", "tab")
    pilot.app.screen.query_one("#port", Input).value = "12000"
    await press(pilot, "ctrl+s")


SHOTS: tuple[Shot, ...] = (
    Shot("home", "Databases: the cluster's facts and the rules' verdict per database", keys()),
    Shot("home-filtered", "/ filters the databases by name", keys("/", *"sess")),
    Shot("home-no-match", "A filter that matches nothing", keys("/", *"zzz")),
    Shot("home-keys", "? lists every key of the home screen", keys("question_mark")),
    Shot("wizard-enable", "Step 1: TLS and client authentication", wizard("orders")),
    Shot(
        "wizard-enable-no-client-auth",
        "Client authentication off: encryption without authentication",
        focus_then("#client-auth", "space"),
    ),
    Shot(
        "wizard-enable-active-active",
        "Active-Active: the TLS switch is locked after creation",
        wizard("inventory"),
    ),
    Shot("wizard-mode", "Step 2: the documented modes", wizard("orders", "ctrl+n")),
    Shot(
        "wizard-mode-active-active",
        "CRDB mode is offered for Active-Active databases",
        wizard("inventory", "ctrl+n"),
    ),
    Shot(
        "wizard-certificates",
        "Step 3: certificate cards",
        wizard("orders", "ctrl+n", "ctrl+n"),
    ),
    Shot(
        "wizard-certificates-wide",
        "A large terminal shows the focused certificate's details beside the cards",
        wizard("orders", "ctrl+n", "ctrl+n"),
        sizes=(WIDE,),
    ),
    Shot(
        "wizard-certificates-syncer-missing",
        "Active-Active: the syncer checklist after removing a participant's certificate",
        wizard("inventory", "ctrl+n", "ctrl+n", "x"),
    ),
    Shot(
        "wizard-certificates-replica",
        "Replica Of, replica side: each source's encryption (e) and proxy certificate (p)",
        wizard("sessions", "ctrl+n", "ctrl+n"),
    ),
    Shot(
        "wizard-names",
        "Step 4: authorized names and which certificates they accept",
        wizard("orders", "ctrl+n", "ctrl+n", "ctrl+n"),
    ),
    Shot(
        "wizard-names-invalid",
        "A name that is not a DNS name, IP, e-mail or URI",
        focus_then("#names-input", "end", *", bad name!", steps=3),
    ),
    Shot(
        "wizard-review",
        "Step 5: the change field by field, and the findings",
        focus_then("#client-auth", "space", "ctrl+s"),
    ),
    Shot(
        "wizard-review-tall",
        "A tall terminal shows the rladmin and REST renderings together, without tabs",
        focus_then("#client-auth", "space", "ctrl+s"),
        sizes=(TALL,),
    ),
    Shot(
        "wizard-review-errors",
        "Errors block Update",
        wizard("cache", "space", "ctrl+s"),
    ),
    Shot("paste-empty", "The paste dialog", paste_shot(lambda pilot: "")),
    Shot(
        "paste-filled",
        "A pasted certificate, inspected live",
        paste_shot(lambda pilot: (samples(pilot) / "app2.pem").read_text()),
    ),
    Shot(
        "paste-private-key",
        "A pasted private key is refused and wiped",
        paste_shot(lambda pilot: (samples(pilot) / "app2.key").read_text()),
    ),
    Shot(
        "paste-not-a-certificate",
        "Text that holds no certificate",
        paste_shot(lambda pilot: "-----BEGIN CERTIFICATE-----\nnot base64\n"),
    ),
    Shot(
        "unsaved-changes",
        "Leaving with pending edits asks first",
        focus_then("#client-auth", "space", "escape"),
    ),
    Shot("stale-revision", "Another writer saved meanwhile: reload?", stale),
    Shot("new-database", "A new database", keys("n")),
    Shot(
        "new-database-tall",
        "A tall terminal shows what Create makes under the form",
        keys("n"),
        sizes=(TALL,),
    ),
    Shot("new-database-filled", "TLS under Advanced Options", new_database_filled),
    Shot("new-database-errors", "A taken name and port", new_database_errors),
    Shot("history", "Revisions of the state file", keys("h")),
    Shot("history-older", "What a rollback would change", keys("h", "up")),
    Shot("history-rollback", "Rollback asks first", keys("h", "up", "r")),
    Shot("first-run", "No state file yet", keys(), needs_state=False),
    Shot(
        "first-run-tall",
        "A tall terminal shows what each field does and what Create writes",
        keys(),
        sizes=(TALL,),
        needs_state=False,
    ),
    Shot("cluster", "Cluster certificates", keys("c"), other_screens=True),
    Shot(
        "mesh",
        "Mesh: every cluster pair's trust, the reason under the highlighted cell",
        keys("c", "m"),
        other_screens=True,
    ),
    Shot(
        "mesh-tall",
        "A tall terminal shows each cluster's certificates under the mesh",
        keys("c", "m"),
        sizes=(TALL,),
        other_screens=True,
    ),
    Shot("protocols", "TLS protocols", keys("p"), other_screens=True),
    Shot("inspector", "Certificate inspector", keys("i"), other_screens=True),
    Shot(
        "inspector-tall",
        "A tall terminal lists every check the inspector runs, with its threshold",
        keys("i"),
        sizes=(TALL,),
        other_screens=True,
    ),
    Shot("encryption", "Client-side encryption", keys("e"), other_screens=True),
    Shot(
        "protocols-tls-1.0",
        "Below TLS 1.2: the warning",
        keys("p", "up", "up", "enter"),
        other_screens=True,
    ),
    Shot("apply", "Apply to server: admin URL and options", keys("a"), other_screens=True),
    Shot("verify", "Verify: live handshakes against the server", keys("v"), other_screens=True),
    Shot("cluster-csr", "Replace: the CSR form", keys("c", "r"), other_screens=True),
    Shot(
        "cluster-import",
        "Replace: paste the signed certificate",
        keys("c", "r", "ctrl+s"),
        other_screens=True,
    ),
)


def size_name(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def file_name(shot: Shot, size: tuple[int, int]) -> str:
    """`home-80x24.svg`: one file per shot and size."""
    return f"{shot.name}-{size_name(size)}.svg"


async def take(shot: Shot, state_path: Path, size: tuple[int, int]) -> str:
    """Run the app on `state_path` at `size` to the shot's picture and return the SVG."""
    app = WizardApp(state_path, cursor_blink=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await shot.steps(pilot)
        await settle(pilot)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        return app.export_screenshot(title=f"redis-tls-wizard: {shot.description}")


async def write_all(folder: Path) -> list[Path]:
    import shutil

    from state.demo import build_demo

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="tls-wizard-shots-") as scratch:
        demo = Path(scratch) / "demo"
        demo.mkdir()
        build_demo(demo)
        for shot in SHOTS:
            for size in shot.sizes:
                work = Path(scratch) / "work"
                shutil.rmtree(work, ignore_errors=True)
                if shot.needs_state:
                    shutil.copytree(demo, work)
                else:
                    work.mkdir()
                # From inside the folder, so the header shows the state file as
                # "tls-wizard.toml" rather than the scratch folder's random path.
                here = Path.cwd()
                os.chdir(work)
                try:
                    svg = await take(shot, work / "tls-wizard.toml", size)
                finally:
                    os.chdir(here)
                target = folder / file_name(shot, size)
                target.write_text(svg, encoding="utf-8")
                written.append(target)
                print(f"{target}  {shot.description}")
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tui.screenshots DIR", file=sys.stderr)
        return 2
    asyncio.run(write_all(Path(args[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
