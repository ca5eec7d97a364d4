"""Step 2, Mode: the documented modes, with what each one encrypts."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import RadioSet, Static

from state.model import MODE_LABELS, TLS_MODES
from state.wizard_form import TlsForm

from ...text import escape
from ...widgets.mode_picker import ModePicker
from .steps import TLS_OFF_NOTE, Step, StepView

MODE_MEANING = {
    "all": "clients and replication both connect with TLS; plain-text connections are refused.",
    "replica-of": "only replication between databases (Replica Of) is encrypted; clients "
    "may still connect in plain text.",
    "crdb": "only the synchronization between the participating clusters of this "
    "Active-Active database is encrypted.",
}


class ModeStep(StepView):
    """The mode picker (highlight on the saved mode) and the meaning of each mode."""

    STEP = Step.MODE

    DEFAULT_CSS = """
    ModeStep #mode-set {
        width: 100%;
    }
    ModeStep #mode-explain {
        height: auto;
        padding: 1 0 0 2;
    }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", classes="explain tls-off-note")
            yield ModePicker(
                self.form.mode, active_active=self.database.is_active_active, id="mode-set"
            )
            yield Static("", id="mode-explain")

    def show_form(self, form: TlsForm) -> None:
        note = self.query_one(".tls-off-note", Static)
        note.update(TLS_OFF_NOTE if not form.enabled else "")
        note.display = not form.enabled
        picker = self.query_one(ModePicker)
        picker.choose(form.mode)
        picker.offer_crdb(self.database.is_active_active)
        lines = []
        for mode in TLS_MODES:
            if mode == "crdb" and not self.database.is_active_active:
                meaning = "for Active-Active databases only."
            else:
                meaning = MODE_MEANING[mode]
            marker = "[b]→[/] " if mode == form.mode else "  "
            style = "b" if mode == form.mode else "dim"
            lines.append(f"{marker}[{style}]{escape(MODE_LABELS[mode])}[/]: {escape(meaning)}")
        self.query_one("#mode-explain", Static).update("\n".join(lines))

    @on(RadioSet.Changed, "#mode-set")
    def mode_chosen(self, event: RadioSet.Changed) -> None:
        mode = self.query_one(ModePicker).mode
        if mode != self.form.mode:
            self.form.mode = mode
            self.edited()
