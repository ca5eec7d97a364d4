"""Step 2, Mode: the documented modes, with what each one encrypts."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import RadioSet, Static

from state.tls_form import TlsForm
from state.vocabulary import TlsMode

from ...text import escape
from ...widgets.mode_picker import ModePicker
from .details import StepDetails
from .steps import TLS_OFF_NOTE, Step, StepView

MODE_ABOUT = (
    "Replica Of only and CRDB only encrypt the link between databases; clients then "
    "connect in plain text. CRDB only is offered for Active-Active databases."
)


class ModeStep(StepView):
    """The mode picker (highlight on the saved mode) and the meaning of each mode."""

    STEP = Step.MODE

    DEFAULT_CSS = """
    ModeStep #mode-set {
        width: 100%;
    }
    ModeStep #mode-explain {
        height: auto;
        padding: 0 0 0 2;
    }
    """

    def compose(self) -> ComposeResult:
        with Vertical(classes="step-body"):
            with VerticalScroll(classes="step-content"):
                yield Static("", classes="explain tls-off-note")
                yield ModePicker(
                    self.form.mode, active_active=self.database.is_active_active, id="mode-set"
                )
                yield Static("", id="mode-explain")
            yield StepDetails()

    def show_form(self, form: TlsForm) -> None:
        note = self.query_one(".tls-off-note", Static)
        note.update(TLS_OFF_NOTE if not form.enabled else "")
        note.display = not form.enabled
        picker = self.query_one(ModePicker)
        picker.choose(form.mode)
        active_active = self.database.is_active_active
        picker.offer_crdb(active_active)
        # The chosen mode's meaning under the picker; its label is the pressed button's.
        meaning = TlsMode(form.mode).meaning
        if form.mode == TlsMode.CRDB and not active_active:
            meaning = "for Active-Active databases only: choose another mode."
        self.query_one("#mode-explain", Static).update(f"[b]→[/] {escape(meaning)}")
        self.query_one(StepDetails).show(self.details(form, MODE_ABOUT))

    @on(RadioSet.Changed, "#mode-set")
    def mode_chosen(self, event: RadioSet.Changed) -> None:
        mode = self.query_one(ModePicker).mode
        if mode != self.form.mode:
            self.form.mode = mode
            self.edited()
