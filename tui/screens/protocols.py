"""TLS protocols: the cluster's minimum TLS version for the data path.

One choice among the values the cluster's Redis Enterprise version accepts (1, 1.1, 1.2
before 7.4.2; 1.2, 1.3 from it; all four, with a note on who refuses which, when the
version is not known), the documented recommendation, a warning when the choice is below
it, and the step the documentation adds: the discovery service only takes the new version
after `supervisorctl restart sentinel_service` on every node. The choice is pending until
saved, and leaving with it pending asks first.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.widgets import RadioButton, RadioSet, Static

from state.errors import WizardError
from state.model import TLS_VERSIONS, State
from state.targets.redis_plan import TLS_PROTOCOLS
from state.transitions import set_min_tls_version
from state.versions import (
    TLS_FROM_7_4_2,
    allowed_min_tls,
    min_tls_problem,
    min_tls_refused_by,
)

from ..messages import StateChanged
from ..text import escape
from ..widgets.frame import AppFooter, AppHeader
from .base import AppScreen

RECOMMENDED = "1.2"
VERSION_LABELS = {
    "1": "TLS 1.0",
    "1.1": "TLS 1.1",
    "1.2": "TLS 1.2  (recommended)",
    "1.3": "TLS 1.3",
}
EXPLAIN = (
    "Clients, replicas and Active-Active peers must negotiate at least this version on the "
    "data path. TLS 1.2 or newer is recommended; from Redis Enterprise 7.4.2 the choices are "
    "1.2 and 1.3 (1.0 and 1.1 are gone), before it 1.0, 1.1 and 1.2."
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


ONLY = {"1": "before 7.4.2", "1.1": "before 7.4.2", "1.3": "7.4.2 and later"}
"""Which clusters accept a value, for the labels when the cluster's version is not known."""

STANDING = {
    "1": "deprecated (RFC 8996): known weaknesses, refused by current clients",
    "1.1": "deprecated (RFC 8996): known weaknesses, refused by current clients",
    "1.2": "the recommended minimum: every current client speaks it",
    "1.3": "the newest: clients that stop at TLS 1.2 can no longer connect",
}
"""Where each version stands (the TLS page's recommendation, RFC 8996)."""
DOCUMENTED = (
    "Once set, the cluster accepts no data-path connection older than the minimum; with "
    "TLS 1.3 as the minimum, clients must support TLS 1.3 or they cannot connect. Which "
    "versions work also depends on the operating system of the cluster's nodes. The control "
    "plane (cluster administration) and the discovery service have TLS settings of their "
    "own; this screen sets the data path's (applications and databases)."
)
"""The TLS protocols page (security/encryption/tls/tls-protocols.md), in short."""
OLD_OPENSSL_NOTE = (
    "OpenSSL 3 negotiates it only at security level 0 (SHA-1/MD5 handshake signatures)"
)
"""docs/targets.md: why a redis-server given TLSv1 or TLSv1.1 still accepts 1.2 and later."""


def version_lines(version: str, cluster_version: str = "") -> list[str]:
    """What choosing `version` as the minimum means: its standing, which Redis Enterprise
    versions accept it, and what Apply gives a redis-server (`tls-protocols`)."""
    refused_by = min_tls_refused_by(version)
    accepted = f"refused by {refused_by}" if refused_by else "accepted by every version"
    if cluster_version:
        verdict = "accepts" if version in allowed_min_tls(cluster_version) else "refuses"
        accepted += f"; this cluster ({escape(cluster_version)}) {verdict} it"
    lines = [
        f"  {escape(STANDING[version])}",
        f"  [dim]Redis Enterprise:[/] {accepted}",
        f"  [dim]redis-server (Apply):[/] tls-protocols {TLS_PROTOCOLS[version]}",
    ]
    if version not in TLS_FROM_7_4_2:
        lines.append(f"  [dim]{escape(OLD_OPENSSL_NOTE)}[/]")
    return lines


def reached_databases(state: State) -> list[str]:
    """The databases whose TLS traffic the minimum governs, each with its mode."""
    lines = [
        f"[dim]·[/] {escape(database.name)}: {escape(database.tls.mode.label)}"
        for database in state.databases
        if database.tls.enabled
    ]
    return lines or ["[dim]No database has TLS on yet.[/]"]


def version_name(version: str) -> str:
    """'TLS 1.0' rather than the state file's '1'."""
    return "TLS 1.0" if version == "1" else f"TLS {version}"


def is_below_recommended(version: str) -> bool:
    return TLS_VERSIONS.index(version) < TLS_VERSIONS.index(RECOMMENDED)


class TlsProtocolsScreen(AppScreen[None]):
    """Choose and save `cluster.min_data_tls_version`."""

    TITLE = "TLS protocols"

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (50, "-tall")]

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.choice = self.saved_version

    @property
    def saved_version(self) -> str:
        return self.workspace.state.cluster.min_data_tls_version

    @property
    def cluster_version(self) -> str:
        return self.workspace.state.cluster.version

    def label(self, version: str) -> str:
        """The radio button's text: refused values say by which cluster versions."""
        text = VERSION_LABELS[version]
        if self.cluster_version and version not in allowed_min_tls(self.cluster_version):
            return f"{text}  (not in {self.cluster_version})"
        if not self.cluster_version and min_tls_refused_by(version):
            return f"{text}  ({ONLY[version]})"
        return text

    @property
    def pending(self) -> bool:
        return self.choice != self.saved_version

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Container(id="protocols-body"):
            yield from self.choice_column()
            with VerticalScroll(id="protocols-about"):
                yield Static("Each version as the minimum", classes="section-title")
                yield Static(id="protocols-versions")
                yield Static("Databases it reaches", classes="section-title")
                yield Static(id="protocols-databases")
                yield Static("What the documentation adds", classes="section-title")
                yield Static(DOCUMENTED, id="protocols-documented")
        yield AppFooter()

    def choice_column(self) -> ComposeResult:
        with VerticalScroll(id="protocols"):
            yield Static(EXPLAIN, classes="hint")
            yield Static(id="protocols-cluster-version")
            allowed = allowed_min_tls(self.cluster_version)
            with RadioSet(id="tls-versions"):
                for version in TLS_VERSIONS:
                    yield RadioButton(
                        self.label(version),
                        value=version == self.choice,
                        name=version,
                        id=f"tls-{version.replace('.', '-')}",
                        disabled=version not in allowed,
                    )
            yield Static(id="protocols-status")
            yield Static(id="protocols-warning")
            yield Static(RESTART_NOTE, id="protocols-note", classes="hint")
            yield Static(f"  $ {RESTART_COMMAND}", id="protocols-restart")
            yield Static(id="protocols-rladmin", classes="hint")

    def on_mount(self) -> None:
        radio_set = self.query_one(RadioSet)
        radio_set.focus()
        # RadioSet highlights its first button on mount; start the keyboard cursor on the
        # saved version instead, so arrows move from what is chosen (no public API for it).
        self.call_after_refresh(setattr, radio_set, "_selected", TLS_VERSIONS.index(self.choice))
        self.refresh_view()

    def refresh_view(self) -> None:
        saved = self.saved_version
        allowed = ", ".join(version_name(v) for v in allowed_min_tls(self.cluster_version))
        self.query_one("#protocols-cluster-version", Static).update(
            f"Redis Enterprise {self.cluster_version}: allowed {allowed}"
            if self.cluster_version
            else "Redis Enterprise version not known (set it on the cluster screen, c then v): "
            "every value some version accepts is offered"
        )
        problem = min_tls_problem(self.cluster_version, self.choice)
        refused_by = "" if self.cluster_version else min_tls_refused_by(self.choice)
        status = self.query_one("#protocols-status", Static)
        if self.pending:
            status.update(
                f"Saved: {version_name(saved)}  ->  chosen: [b]{version_name(self.choice)}[/]  "
                "[$text-warning](not saved: ctrl+s saves)[/]"
            )
        else:
            status.update(f"Saved: [b]{version_name(saved)}[/]")
        warning = self.query_one("#protocols-warning", Static)
        warning.display = (
            is_below_recommended(self.choice) or problem is not None or bool(refused_by)
        )
        if problem is not None:
            warning.update(f"[$text-error bold]✗ refused[/] {escape(problem)}")
        elif refused_by and not is_below_recommended(self.choice):
            warning.update(
                f"[$text-warning bold]! warning[/] {version_name(self.choice)} is refused by "
                f"{refused_by}; set the cluster's version to have it checked."
            )
        else:
            warning.update(
                f"[$text-warning bold]! warning[/] "
                f"{escape(WARNING.format(version=version_name(self.choice)))}"
            )
        self.query_one("#protocols-rladmin", Static).update(
            f"Same as: rladmin cluster config min_data_TLS_version {self.choice}\n"
            f'or REST: PUT /v1/cluster {{"min_data_TLS_version": "{self.choice}"}}'
        )
        self.query_one("#protocols-versions", Static).update("\n".join(self.versions_markup()))
        self.query_one("#protocols-databases", Static).update(
            "\n".join(reached_databases(self.workspace.state))
        )

    def versions_markup(self) -> list[str]:
        """Every version's lines, its name marked when it is the saved or the chosen one."""
        lines = []
        for version in TLS_VERSIONS:
            marks = [
                word
                for word, shown in (("saved", self.saved_version), ("chosen", self.choice))
                if shown == version
            ]
            mark = f"  [$text-accent]({', '.join(marks)})[/]" if marks else ""
            lines.append(f"[b]{version_name(version)}[/]{mark}")
            lines += version_lines(version, self.cluster_version)
        return lines

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.choice = event.pressed.name or self.choice
        self.refresh_view()

    def on_state_changed(self, message: StateChanged) -> None:
        self.refresh_view()

    def action_save(self) -> None:
        if not self.pending:
            self.notify(f"{version_name(self.choice)} is already the saved minimum.")
            return
        try:
            new_state = set_min_tls_version(self.workspace.state, self.choice)
        except WizardError as error:
            self.notify(str(error), title="Not saved", severity="error", timeout=10)
            return
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
