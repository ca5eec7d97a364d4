"""Import a Redis Enterprise cluster's REST JSON into a new state file.

Two file paths (the saved `GET /v1/bdbs` and, optionally, `GET /v1/cluster`), a preview
of what the import would create, and the path of the new state. Preview and import run
in workers through `state.enterprise.importer`: the preview writes nothing, the import
refuses to overwrite a state file. Dismisses with the new Workspace, or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Static

from state.enterprise.importer import describe_import, import_to_new_state, preview_import
from state.errors import WizardError
from state.workspace import Workspace

from ..dialogs.base import Dialog, DialogButton
from ..text import escape, escape_lines

HINT = (
    "Save the responses of GET /v1/bdbs and GET /v1/cluster as files and give their "
    "paths. Enter in a field previews (^r); Import (^s) writes them into a new state file."
)
DEFAULT_NAME = "imported-tls-wizard.toml"
LABELS = ("the bdbs file", "the cluster file")


class ImportRestDialog(Dialog[Workspace | None]):
    """`Dialog[Workspace | None]`: the imported state's workspace, or None if cancelled."""

    DEFAULT_CSS = """
    ImportRestDialog > .dialog {
        width: 90;
        max-width: 100%;
    }
    ImportRestDialog .dialog-detail {
        height: auto;
        color: $text-muted;
        padding: 0 0 1 0;
    }
    ImportRestDialog #import-preview-box {
        height: auto;
        max-height: 10;
        margin-top: 1;
        border-top: solid $primary-muted;
    }
    """

    def __init__(self, folder: Path) -> None:
        super().__init__("Import a cluster's REST JSON")
        self.folder = folder

    def dialog_buttons(self) -> Sequence[DialogButton]:
        return (
            DialogButton("preview", "Preview", "ctrl+r", "preview"),
            DialogButton("import", "Import", "ctrl+s", "import_state", "primary"),
            DialogButton("cancel", "Cancel", "escape", "cancel"),
        )

    def compose_body(self) -> ComposeResult:
        yield Static(HINT, classes="dialog-detail")
        yield Label("GET /v1/bdbs file")
        yield Input(placeholder="bdbs.json", id="import-bdbs")
        yield Label("GET /v1/cluster file (optional)")
        yield Input(placeholder="cluster.json", id="import-cluster")
        yield Label("New state file")
        yield Input(str(self.folder / DEFAULT_NAME), id="import-target")
        with VerticalScroll(id="import-preview-box"):
            yield Static("No preview yet.", id="import-preview")

    def on_mount(self) -> None:
        self.query_one("#import-bdbs", Input).focus()

    # -- the inputs ----------------------------------------------------------------------

    def paths(self) -> tuple[str, str | None, str]:
        bdbs = self.query_one("#import-bdbs", Input).value.strip()
        cluster = self.query_one("#import-cluster", Input).value.strip() or None
        target = self.query_one("#import-target", Input).value.strip()
        return bdbs, cluster, target

    def show(self, text: str, *, error: bool = False) -> None:
        preview = self.query_one("#import-preview", Static)
        preview.update(f"[$text-error]✗[/] {escape(text)}" if error else escape_lines(text))

    def missing_input(self) -> str | None:
        bdbs, _cluster, target = self.paths()
        if not bdbs:
            return "give the GET /v1/bdbs file"
        if not target:
            return "give the path of the new state file"
        return None

    # -- preview and import (workers: files, JSON and certificates are read off the loop) --

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_preview()

    def action_preview(self) -> None:
        problem = self.missing_input()
        if problem:
            self.show(problem, error=True)
            return
        self.show("Reading…")
        bdbs, cluster, _target = self.paths()
        self.run_preview(bdbs, cluster)

    @work(thread=True, exclusive=True, group="import-rest")
    def run_preview(self, bdbs: str, cluster: str | None) -> None:
        try:
            text = "\n".join(describe_import(preview_import(bdbs, cluster, labels=LABELS)))
        except WizardError as error:
            self.app.call_from_thread(self.show, str(error), error=True)
            return
        self.app.call_from_thread(self.show, text)

    def action_import_state(self) -> None:
        problem = self.missing_input()
        if problem:
            self.show(problem, error=True)
            return
        self.show("Importing…")
        self.run_import(*self.paths())

    @work(thread=True, exclusive=True, group="import-rest")
    def run_import(self, bdbs: str, cluster: str | None, target: str) -> None:
        try:
            workspace, _result = import_to_new_state(Path(target), bdbs, cluster, labels=LABELS)
        except WizardError as error:
            self.app.call_from_thread(self.show, str(error), error=True)
            return
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            self.app.call_from_thread(self.show, f"{where}{error.strerror or error}", error=True)
            return
        self.app.call_from_thread(self.dismiss, workspace)

    def action_cancel(self) -> None:
        self.dismiss(None)
