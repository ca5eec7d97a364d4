"""What every step of the wizard shares: its name, the message it posts after an edit, and
the base class that redraws it whenever the wizard's one form changes.

The screen holds the `TlsForm` as a reactive; a step edits the form and posts `FormEdited`,
the screen tells every watcher, and each step redraws itself from the form. No step calls
another step's redraw, so an edit on one step shows on every other without a hand-picked list.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

from textual.containers import ScrollableContainer, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Switch

from state.certificates import CertificateInfo
from state.model import Database, State
from state.tls_form import TlsForm

from .details import details_markup

if TYPE_CHECKING:
    from .screen import TlsWizardScreen


class Step(IntEnum):
    """The documented steps, in order (the value is the position)."""

    ENABLE = 0
    MODE = 1
    CERTIFICATES = 2
    NAMES = 3
    REVIEW = 4

    @property
    def label(self) -> str:
        return STEP_LABELS[self]

    @property
    def widget_id(self) -> str:
        return f"step-{self.name.lower()}"

    @property
    def is_first(self) -> bool:
        return self is Step.ENABLE

    @property
    def is_last(self) -> bool:
        return self is Step.REVIEW

    def moved(self, delta: int) -> Step | None:
        """The step `delta` away, or None past either end."""
        position = self + delta
        return Step(position) if 0 <= position < len(Step) else None


STEP_LABELS = {
    Step.ENABLE: "Enable",
    Step.MODE: "Mode",
    Step.CERTIFICATES: "Certificates",
    Step.NAMES: "Subject names",
    Step.REVIEW: "Review",
}

TLS_OFF_NOTE = "TLS is off for this database: these settings take effect once it is enabled."


class FormEdited(Message):
    """A step changed the wizard's form: every step redraws from it."""


class StepView(Vertical):
    """One step: composes its widgets, redraws them in `show_form`, edits through `edited`."""

    STEP: Step
    KEYS_FOLLOW_FORM = False
    """True when which of the step's keys apply depends on the form (check_action)."""

    DEFAULT_CSS = """
    StepView {
        height: 1fr;
        padding: 0 1;
    }
    StepView .explain {
        color: $text-muted;
        height: auto;
        padding: 0 0 0 2;
    }
    StepView .locked {
        color: $text-warning;
        height: auto;
        padding: 0 0 0 2;
    }
    StepView .step-body {
        height: 1fr;
    }
    StepView .step-content {
        height: auto;
        max-height: 70%;
    }
    /* Each switch beside its label, one row (the app-wide switch style in app.tcss). */
    StepView .toggle-row {
        height: auto;
        margin-top: 1;
    }
    StepView .toggle-row Label {
        padding: 0 1;
    }
    """

    def __init__(self) -> None:
        super().__init__(id=self.STEP.widget_id, classes="step")

    @property
    def wizard(self) -> TlsWizardScreen:
        from .screen import TlsWizardScreen

        screen = self.screen
        assert isinstance(screen, TlsWizardScreen)
        return screen

    @property
    def form(self) -> TlsForm:
        return self.wizard.form

    @property
    def saved(self) -> State:
        return self.wizard.saved

    @property
    def database(self) -> Database:
        return self.wizard.database

    def certificate(self, sha: str) -> CertificateInfo:
        return self.wizard.certificate(sha)

    stale = False
    """The form changed while another step was shown: redraw on entering."""

    def on_mount(self) -> None:
        self.watch(self.wizard, "form", self.form_changed)

    def form_changed(self, form: TlsForm) -> None:
        # Only the shown step redraws at once (a keystroke redraws one step, not five).
        if self.wizard.step is self.STEP:
            self.stale = False
            self.show_form(form)
        else:
            self.stale = True

    def edited(self) -> None:
        """Say the form changed; the screen then has every step redraw."""
        self.post_message(FormEdited())

    def details(self, form: TlsForm, about: str) -> str:
        """The details panel's text for this step (details.py)."""
        labels = {sha: self.certificate(sha).label for sha in form.certificates}
        findings = self.wizard.outcome().findings
        return details_markup(form, self.database, about, labels, self.wizard.pending(), findings)

    def set_switch(self, selector: str, value: bool) -> None:
        """Show `value` on a switch without it reporting a change (it comes from the form)."""
        switch = self.query_one(selector, Switch)
        with switch.prevent(Switch.Changed):
            switch.value = value

    def show_form(self, form: TlsForm) -> None:
        """Redraw from the form (called on mount and after every edit or reload)."""

    def entered(self) -> None:
        """The wizard moved to this step: catch up with edits made elsewhere."""
        if self.stale:
            self.stale = False
            self.show_form(self.form)

    def focus_first(self) -> None:
        """Focus the step's first control (a bare scroll container is not one)."""
        for widget in self.query("*").results(Widget):
            if widget.focusable and type(widget) not in (VerticalScroll, ScrollableContainer):
                widget.focus()
                return
