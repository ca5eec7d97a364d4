"""TLS protocols: the cluster's minimum TLS version for the data path.

One choice (1, 1.1, 1.2, 1.3), the documented recommendation, a warning when the choice
is below it, and the step the documentation adds: the discovery service only takes the
new version after `supervisorctl restart sentinel_service` on every node. The choice is
pending until saved, and leaving with it pending asks first.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, RadioButton, RadioSet, Static

from state.model import TLS_VERSIONS
from state.operations import set_min_tls_version

from ..messages import StateChanged
from ..text import escape

RECOMMENDED = "1.2"
VERSION_LABELS = {
    "1": "TLS 1.0",
    "1.1": "TLS 1.1",
    "1.2": "TLS 1.2  (recommended)",
    "1.3": "TLS 1.3",
}
EXPLAIN = (
    "Clients, replicas and Active-Active peers must negotiate at least this version on the "
    "data path. TLS 1.2 or newer is recommended; newer releases also allow 1.3 and drop "
    "1.0 and 1.1."
)
WARNING = (
    "{version} is below the recommended TLS 1.2: TLS 1.0 and 1.1 are deprecated (RFC 8996), "
    "have known weaknesses and are refused by current clients and OpenSSL defaults. Allow "
    "them only for old clients you cannot upgrade yet."
)
RESTART_NOTE = (
    "After saving, the discovery service picks the new minimum up only once it restarts; "
    "on every node run:"
)
RESTART_COMMAND = "supervisorctl restart sentinel_service"


def version_name(version: str) -> str:
    """'TLS 1.0' rather than the state file's '1'."""
    return "TLS 1.0" if version == "1" else f"TLS {version}"


def is_below_recommended(version: str) -> bool:
    return TLS_VERSIONS.index(version) < TLS_VERSIONS.index(RECOMMENDED)


class TlsProtocolsScreen(Screen):
    """Choose and save `cluster.min_data_tls_version`."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.choice = self.saved_version

    @property
    def saved_version(self) -> str:
        return self.app.workspace.state.cluster.min_data_tls_version

    @property
    def pending(self) -> bool:
        return self.choice != self.saved_version

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("TLS protocols: minimum TLS version of the data path", classes="screen-title")
        with VerticalScroll(id="protocols"):
            yield Static(EXPLAIN, classes="hint")
            with RadioSet(id="tls-versions"):
                for version in TLS_VERSIONS:
                    yield RadioButton(
                        VERSION_LABELS[version],
                        value=version == self.choice,
                        name=version,
                        id=f"tls-{version.replace('.', '-')}",
                    )
            yield Static(id="protocols-status")
            yield Static(id="protocols-warning")
            yield Static(RESTART_NOTE, id="protocols-note", classes="hint")
            yield Static(f"  $ {RESTART_COMMAND}", id="protocols-restart")
            yield Static(id="protocols-rladmin", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        radio_set = self.query_one(RadioSet)
        radio_set.focus()
        # RadioSet highlights its first button on mount; start the keyboard cursor on the
        # saved version instead, so arrows move from what is chosen (no public API for it).
        self.call_after_refresh(setattr, radio_set, "_selected", TLS_VERSIONS.index(self.choice))
        self.refresh_view()

    def refresh_view(self) -> None:
        saved = self.saved_version
        status = self.query_one("#protocols-status", Static)
        if self.pending:
            status.update(
                f"Saved: {version_name(saved)}  ->  chosen: [b]{version_name(self.choice)}[/]  "
                "[$text-warning](not saved: ctrl+s saves)[/]"
            )
        else:
            status.update(f"Saved: [b]{version_name(saved)}[/]")
        warning = self.query_one("#protocols-warning", Static)
        warning.display = is_below_recommended(self.choice)
        warning.update(
            f"[$text-warning bold]! warning[/] {escape(WARNING.format(version=version_name(self.choice)))}"
        )
        self.query_one("#protocols-rladmin", Static).update(
            f"Same as: rladmin cluster config min_data_TLS_version {self.choice}"
        )

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.choice = event.pressed.name or self.choice
        self.refresh_view()

    def on_state_changed(self, message: StateChanged) -> None:
        self.refresh_view()

    def action_save(self) -> None:
        if not self.pending:
            self.notify(f"{version_name(self.choice)} is already the saved minimum.")
            return
        new_state = set_min_tls_version(self.app.workspace.state, self.choice)
        self.app.commit(new_state, f"cluster config min_data_TLS_version {self.choice}")
        self.refresh_view()

    def action_back(self) -> None:
        if not self.pending:
            self.app.pop_screen()
            return
        from ..dialogs.confirm import UnsavedChangesDialog

        def answered(discard: bool | None) -> None:
            if discard:
                self.app.pop_screen()

        self.app.push_screen(
            UnsavedChangesDialog(
                f"minimum {version_name(self.saved_version)} -> {version_name(self.choice)}"
            ),
            answered,
        )
