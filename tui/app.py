"""The wizard application: one workspace (the opened state file), one stylesheet, the screens.

The app owns the `Workspace` and is the only place that saves it: screens build a new
state with the core's operations and call `app.commit`, which turns every refusal into
one clear message (or, for a stale revision, a dialog that offers to reload) and tells
every screen on the stack to redraw with `StateChanged`.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from textual import events
from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.notifications import SeverityLevel
from textual.screen import Screen

from state.errors import RefusedError, StaleStateError, StateFileError, WizardError
from state.model import State
from state.text import visible
from state.workspace import Workspace

from .messages import StateChanged
from .text import install_guards
from .theme import THEME, use_theme

OTHER_SCREENS: dict[str, tuple[str, str]] = {
    "cluster": ("tui.screens.cluster", "ClusterCertificatesScreen"),
    "protocols": ("tui.screens.protocols", "TlsProtocolsScreen"),
    "inspector": ("tui.screens.inspector", "InspectorScreen"),
    "encryption": ("tui.screens.encryption", "EncryptionScreen"),
}
"""Screens pushed by name and imported only when opened, so a slow import never delays start."""


@dataclass(frozen=True, slots=True)
class WizardCommand:
    """One action the home screen's keys and the command palette both offer."""

    title: str
    help: str
    action: str


COMMANDS: tuple[WizardCommand, ...] = (
    WizardCommand("Cluster certificates", "Proxy and syncer certificates (c)", "open('cluster')"),
    WizardCommand("TLS protocols", "Minimum TLS version of the data path (p)", "open('protocols')"),
    WizardCommand("Certificate inspector", "Paste or open a certificate (i)", "open('inspector')"),
    WizardCommand(
        "Client-side encryption", "Protect data in use with a data key (e)", "open('encryption')"
    ),
    WizardCommand("New database", "Create a database; TLS under Advanced Options (n)", "new"),
    WizardCommand("History", "Revisions of the state file, rollback (h)", "history"),
    WizardCommand(
        "Apply to server",
        "The highlighted database's TLS to a redis-server (a)",
        "screen.apply_selected",
    ),
    WizardCommand(
        "Verify",
        "Live handshakes against the highlighted database's server (v)",
        "screen.verify_selected",
    ),
    WizardCommand(
        "Import from Redis Enterprise",
        "A cluster's REST JSON into a new state (ctrl+o)",
        "screen.import_rest",
    ),
)


class WizardCommandsProvider(Provider):
    """The command palette lists the same actions as the home screen's keys."""

    def _commands(self) -> Iterable[tuple[WizardCommand, Callable[[], object]]]:
        app = self.app
        if not isinstance(app, WizardApp) or app.workspace is None:
            return
        for command in COMMANDS:
            yield command, partial(app.call_later, app.run_action, command.action)

    async def discover(self) -> Hits:
        for command, callback in self._commands():
            yield DiscoveryHit(command.title, callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command, callback in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), callback, help=command.help)


class WizardApp(App[int]):
    """The TLS wizard over one state file (`workspace`), or the first-run screen without one."""

    CSS_PATH = "app.tcss"
    TITLE = "redis-tls-wizard"
    THEME = THEME
    COMMANDS = App.COMMANDS | {WizardCommandsProvider}

    def __init__(
        self,
        state_path: str | Path,
        *,
        demo: bool = False,
        workspace: Workspace | None = None,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        install_guards()
        self.crash: BaseException | None = None
        self.cursor_blink = cursor_blink
        self.state_path = Path(state_path)
        self.demo = demo
        self.workspace: Workspace | None = workspace
        if self.workspace is None and self.state_path.exists():
            self.workspace = Workspace.open(self.state_path)
        use_theme(self)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification as plain text: messages carry names, paths and errors read
        from certificates, state files and servers (tui.text). `markup` is ignored."""
        super().notify(
            visible(message), title=visible(title), severity=severity, timeout=timeout, markup=False
        )

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected error ends the app with status 1 and one line (run_app prints it).

        Textual would print a traceback with local variables, which can hold key bytes;
        this keeps the error for the line and for tests, and exits without it.
        """
        self.crash = error
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self._close_messages_no_wait()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Snapshots and screenshots turn blinking off so a picture never catches it half-way.
        if not self.cursor_blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    def on_mount(self) -> None:
        if self.demo:
            self.announce_demo()

    def announce_demo(self) -> None:
        """Say where a throwaway demo lives, so its files (samples/) can be used meanwhile:
        once now, and for as long as it is open at the right of every screen's header."""
        from .widgets.frame import refresh_frames

        self.demo = True
        refresh_frames(self.screen_stack)
        self.notify(
            f"Demo state in {self.state_path.parent} (sample client certificates in "
            "samples/); it is removed when you quit.",
            title="Demo",
            timeout=10,
        )

    def get_default_screen(self) -> Screen:
        if self.workspace is None:
            from .screens.first_run import FirstRunScreen

            return FirstRunScreen()
        from .screens.databases import DatabasesScreen

        return DatabasesScreen()

    # -- the state -------------------------------------------------------------------

    @property
    def saved_state(self) -> State:
        """The saved state; only valid once a workspace exists (not on the first-run screen)."""
        assert self.workspace is not None, "no state file is open"
        return self.workspace.state

    def open_workspace(self, workspace: Workspace) -> None:
        """Start working on a (new) state: the home screen replaces the first-run screen."""
        from .screens.databases import DatabasesScreen

        self.workspace = workspace
        self.state_path = workspace.path
        # Pushed on top rather than switched: replacing the only screen of the stack
        # leaves a moment with no screen at all, which Textual does not allow.
        self.push_screen(DatabasesScreen())

    def commit(self, new_state: State, change: str) -> bool:
        """Validate and save `new_state` as the next revision; True when it was saved.

        Refusals become one notification; a stale revision opens the dialog that offers
        to reload. Screens keep their pending edits when this returns False.
        """
        workspace = self.workspace
        if workspace is None:
            self.notify("No state file is open.", severity="error")
            return False
        try:
            saved = workspace.commit(new_state, change)
        except StaleStateError as error:
            self.show_stale(error)
            return False
        except RefusedError as error:
            self.notify(str(error), title="Refused, nothing saved", severity="error", timeout=10)
            return False
        except WizardError as error:
            self.notify(str(error), title="Not saved", severity="error", timeout=10)
            return False
        except OSError as error:
            self.notify(
                f"{error.filename or workspace.path}: {error.strerror or error}",
                title="Not saved",
                severity="error",
                timeout=10,
            )
            return False
        self.notify(f"Saved revision {saved.revision}: {change}", title="Saved")
        self.broadcast_state_changed()
        return True

    def show_stale(self, error: StaleStateError) -> None:
        from .dialogs.stale import StaleStateDialog

        def answered(reload: bool | None) -> None:
            if reload:
                self.reload_state()

        name = self.workspace.path.name if self.workspace else "the state file"
        self.push_screen(StaleStateDialog(name, error.base, error.current), answered)

    def reload_state(self) -> bool:
        """Read the state file again (after another writer saved); True when it loaded."""
        if self.workspace is None:
            return False
        try:
            state = self.workspace.reload()
        except StateFileError as error:
            self.notify(str(error), title="Cannot reload", severity="error", timeout=10)
            return False
        self.notify(f"Reloaded revision {state.revision}.", title="Reloaded")
        self.broadcast_state_changed()
        return True

    def broadcast_state_changed(self) -> None:
        """Tell every screen on the stack that the state is new (messages only bubble up)."""
        revision = self.workspace.state.revision if self.workspace else 0
        for screen in self.screen_stack:
            screen.post_message(StateChanged(revision))
        from .widgets.frame import refresh_frames

        refresh_frames(self.screen_stack)

    # -- actions shared by the home screen and the command palette ---------------------

    def action_open(self, which: str, text: str = "") -> None:
        """Push one of the cluster, protocols, inspector or encryption screens."""
        module_name, class_name = OTHER_SCREENS[which]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            self.notify(f"The {which} screen is not available yet.", severity="warning")
            return
        screen_class = getattr(module, class_name)
        self.push_screen(screen_class(text) if which == "inspector" and text else screen_class())

    def action_new(self) -> None:
        from .screens.new_database import NewDatabaseScreen

        self.push_screen(NewDatabaseScreen())

    def action_history(self) -> None:
        from .screens.history import HistoryScreen

        self.push_screen(HistoryScreen())

    def action_wizard(self, database: str) -> None:
        from .screens.wizard import TlsWizardScreen

        self.push_screen(TlsWizardScreen(database))


def run_app(path: str | Path, *, demo: bool = False) -> int:
    """Start the wizard on `path`; a broken state file is one line on stderr, exit 1, and
    so is a crash: what happened, where, and that the state file was not changed by it."""
    path = Path(path)
    workspace = None
    if path.exists():
        try:
            workspace = Workspace.open(path)
        except StateFileError as error:
            print(f"tls-wizard: {visible(error)}", file=sys.stderr)
            return 1
    app = WizardApp(path, demo=demo, workspace=workspace)
    try:
        result = app.run()
    finally:
        # The first-run screen's demo is a throwaway folder too; `--demo`'s is also
        # removed by the CLI. A state file of the user's own is never touched.
        if app.workspace is not None:
            from state.demo import discard_throwaway

            discard_throwaway(app.workspace.path)
    if app.crash is not None:
        print(crash_line(app), file=sys.stderr)
        return 1
    return int(app.return_code or result or 0)


def crash_line(app: WizardApp) -> str:
    """One line for a crash: the error, the line of our code it came from, and the state."""
    error = app.crash
    assert error is not None
    where = ""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/tui/" in f.filename or "/state/" in f.filename] or frames
    if ours:
        frame = ours[-1]
        parts = Path(frame.filename).parts
        short = "/".join(parts[-2:])
        where = f" at {short}:{frame.lineno}"
    message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    workspace = app.workspace
    if workspace is None:
        state = "no state file was open"
    else:
        state = (
            f"the state file {workspace.path} is as last saved (revision "
            f"{workspace.state.revision}); changes not yet saved with Update were not saved"
        )
    return visible(
        f"tls-wizard: the wizard stopped on an internal error{where} ({message}); {state}"
    )
