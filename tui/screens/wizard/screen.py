"""The TLS wizard for one database: the documented steps in order, pending until Update.

Enable -> Mode -> Certificates -> Subject names -> Review, one step widget each around
one `TlsForm` (state/tls_form.py), held here as a reactive. Nothing is saved until
Update on the Review step, which builds the new state with the same operations as
`tls-wizard db tls` and hands it to `app.commit`. Leaving with pending edits asks first; a
stale revision offers a reload, after which the edits are replayed on the newer state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import var
from textual.widgets import Button, ContentSwitcher, Static

from state.certificates import CertificateInfo, describe_pem
from state.errors import WizardError
from state.findings import Finding, errors
from state.model import Database, State
from state.rules import database_findings
from state.tls_form import TlsForm

from ...messages import StateChanged
from ...widgets.frame import AppFooter, AppHeader
from ...widgets.step_indicator import StepIndicator
from ..base import AppScreen
from .certificates import CertificatesStep
from .enable import EnableStep
from .mode import ModeStep
from .names import NamesStep
from .review import ReviewStep
from .steps import FormEdited, Step, StepView

WIDE = 120
"""From this many columns on, each step's details stand beside it rather than below
(the focused certificate card's details on the Certificates step)."""
TALL = 30
"""Below this many rows the sections drop their spacing, so the Review step's rladmin
box still shows commands (not only its header comments) at 80x24."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What Update would save for the form as it is: the state or why it cannot be built,
    and the database's findings in it."""

    after: State | None
    problem: str | None
    findings: list[Finding]

    @property
    def blocked(self) -> bool:
        return self.after is None or bool(errors(self.findings))


class TlsWizardScreen(AppScreen[None]):
    """Edit one database's TLS settings, step by step; `database_name` names it."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (TALL, "-tall")]

    BINDINGS = [
        Binding("escape", "leave", "Leave"),
        # The nav bar's buttons carry these keys in their labels, so the footer keeps its
        # room for the step's own keys (all of them fit at 80 columns).
        Binding("ctrl+b", "step(-1)", "Back", key_display="^b", show=False),
        Binding("ctrl+n", "step(1)", "Next", key_display="^n", show=False),
        Binding("ctrl+s", "update", "Update", key_display="^s", show=False),
    ]

    DEFAULT_CSS = """
    TlsWizardScreen #wizard-steps {
        height: 1fr;
    }
    TlsWizardScreen #wizard-nav {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    TlsWizardScreen #wizard-nav Button {
        margin-right: 1;
    }
    TlsWizardScreen #wizard-nav .spacer {
        width: 1fr;
    }
    TlsWizardScreen.-wide #cards-row {
        layout: horizontal;
    }
    TlsWizardScreen.-wide #cards {
        width: 3fr;
        height: 1fr;
        max-height: 100%;
    }
    TlsWizardScreen.-wide #card-details-box {
        width: 2fr;
        border-top: none;
        border-left: solid $primary-muted;
    }
    TlsWizardScreen.-short .section-title {
        margin-top: 0;
    }
    TlsWizardScreen.-short ReviewStep #review-findings-box {
        max-height: 4;
    }
    TlsWizardScreen.-short .export-hint {
        display: none;
    }
    TlsWizardScreen.-wide .step-body {
        layout: horizontal;
    }
    TlsWizardScreen.-wide .step-content {
        width: 1fr;
        height: 1fr;
        max-height: 100%;
    }
    TlsWizardScreen.-wide StepDetails {
        width: 1fr;
        border-left: solid $primary-muted;
    }
    TlsWizardScreen.-wide NamesStep #names-table {
        height: 1fr;
        max-height: 100%;
    }
    """

    form: var[TlsForm] = var(cast(TlsForm, None), init=False)
    """The one pending form every step shows and edits (set before the steps mount)."""

    def __init__(self, database: str) -> None:
        super().__init__()
        self.database_name = database
        self.step = Step.ENABLE
        self.set_reactive(TlsWizardScreen.form, TlsForm.from_state(self.saved, database))
        self.form_base = self.saved
        self._pending: tuple[tuple[int, int], tuple[State | None, str | None]] | None = None
        self._outcome: tuple[tuple[int, int], Outcome] | None = None
        self._edits = 0

    # -- the state ------------------------------------------------------------------------

    @property
    def saved(self) -> State:
        return self.app.saved_state

    @property
    def database(self) -> Database:
        database = self.saved.database(self.database_name)
        if database is None:
            raise WizardError(f"database {self.database_name!r} is no longer in the state")
        return database

    def certificate(self, sha: str) -> CertificateInfo:
        if sha in self.form.pasted:
            return self.form.pasted[sha]
        return describe_pem(self.saved.certificates[sha])

    def pending(self) -> tuple[State | None, str | None]:
        """The state Update would save, or why it cannot be built; built once per edit."""
        key = (id(self.form), self._edits)
        if self._pending is None or self._pending[0] != key:
            try:
                self._pending = (key, (self.form.apply(self.saved), None))
            except WizardError as error:
                self._pending = (key, (None, str(error)))
        return self._pending[1]

    def outcome(self) -> Outcome:
        """The pending state and its findings (a full check), built once per edit."""
        key = (id(self.form), self._edits)
        if self._outcome is None or self._outcome[0] != key:
            after, problem = self.pending()
            self._outcome = (key, Outcome(after, problem, self.review_findings(after, problem)))
        return self._outcome[1]

    def review_findings(self, after: State | None, problem: str | None) -> list[Finding]:
        if after is None:
            return [Finding("error", "refused", problem or "", "")]
        return [f.within_database() for f in database_findings(after, self.database_name)]

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        database = self.database
        kind = "Active-Active" if database.is_active_active else "standard"
        self.title = f"TLS of {database.name} ({kind} database, port {database.port})"
        yield AppHeader()
        yield StepIndicator([step.label for step in Step], id="step-indicator")
        with ContentSwitcher(id="wizard-steps", initial=Step.ENABLE.widget_id):
            yield EnableStep()
            yield ModeStep()
            yield CertificatesStep()
            yield NamesStep()
            yield ReviewStep()
        with Horizontal(id="wizard-nav"):
            yield Button("^b Back", id="back", compact=True)
            yield Button("^n Next", id="next", variant="primary", compact=True)
            yield Static(classes="spacer")
            yield Button("^s Update", id="update", variant="success", compact=True)
        yield AppFooter()

    def on_mount(self) -> None:
        # The buttons mirror ^b, ^n and ^s: the focus stays in the step, whose keys then
        # stay in the footer.
        for button in self.query("#wizard-nav Button").results(Button):
            button.can_focus = False
        self.go_to(Step.ENABLE)

    def step_view(self, step: Step) -> StepView:
        return self.query_one(f"#{step.widget_id}", StepView)

    # -- the form -------------------------------------------------------------------------

    def on_form_edited(self, message: FormEdited) -> None:
        message.stop()
        self._edits += 1
        self.mutate_reactive(TlsWizardScreen.form)

    def watch_form(self) -> None:
        # The footer is composed again on refresh_bindings: only when keys may have changed.
        self.refresh_nav(bindings=self.step_view(self.step).KEYS_FOLLOW_FORM)

    def on_state_changed(self, message: StateChanged) -> None:
        """The state was saved or reloaded: replay the pending edits on the newer state."""
        if self.saved.database(self.database_name) is None:
            self.notify(
                f"Database {self.database_name!r} was removed by another writer.",
                severity="error",
            )
            self.dismiss()
            return
        rebased = self.form.rebase(self.form_base, self.saved)
        self.form_base = self.saved
        self._edits += 1
        self.set_reactive(TlsWizardScreen.form, rebased)
        self.mutate_reactive(TlsWizardScreen.form)

    def refresh_nav(self, bindings: bool = True) -> None:
        self.query_one("#back", Button).disabled = self.step.is_first
        self.query_one("#next", Button).disabled = self.step.is_last
        update = self.query_one("#update", Button)
        if self.step.is_last:
            outcome = self.outcome()
            unchanged = outcome.after is not None and not self.form.is_dirty(self.saved)
            update.disabled = outcome.blocked or unchanged
            update.label = "Fix errors first" if outcome.blocked else "^s Update"
        else:
            update.disabled = False
            update.label = "^s Review and Update"
        if bindings:
            self.refresh_bindings()

    # -- steps ----------------------------------------------------------------------------

    def go_to(self, step: Step) -> None:
        self.step = step
        self.query_one("#step-indicator", StepIndicator).current = step
        self.query_one(ContentSwitcher).current = step.widget_id
        view = self.step_view(step)
        view.entered()
        self.refresh_nav()
        self.call_after_refresh(view.focus_first)

    def action_step(self, delta: int) -> None:
        step = self.step.moved(delta)
        if step is not None:
            self.go_to(step)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Back and Next only where they lead; on Review, Update as its button says."""
        if action == "step":
            delta = parameters[0] if parameters else 0
            return self.step.moved(int(cast(int, delta))) is not None or None
        if action == "update" and self.step.is_last:
            return not self.query_one("#update", Button).disabled or None
        return True

    @on(Button.Pressed, "#back")
    def pressed_back(self) -> None:
        self.action_step(-1)

    @on(Button.Pressed, "#next")
    def pressed_next(self) -> None:
        self.action_step(1)

    @on(Button.Pressed, "#update")
    def pressed_update(self) -> None:
        self.action_update()

    # -- update and leave ---------------------------------------------------------------------

    def action_update(self) -> None:
        if not self.step.is_last:
            self.go_to(Step.REVIEW)
            return
        outcome = self.outcome()
        if outcome.after is None:
            self.notify(outcome.problem or "refused", title="Cannot update", severity="error")
            return
        blocking = errors(outcome.findings)
        if blocking:
            self.notify(
                f"{len(blocking)} error{'s' if len(blocking) != 1 else ''} to fix first "
                "(listed under Findings).",
                title="Not saved",
                severity="error",
            )
            return
        if not self.form.is_dirty(self.saved):
            self.notify("Nothing to update: no change against the saved state.")
            return
        change = self.form.describe(self.saved)
        if self.app.commit(outcome.after, change):
            self.dismiss()

    def action_leave(self) -> None:
        if not self.form.is_dirty(self.saved):
            self.dismiss()
            return
        from ...dialogs.confirm import UnsavedChangesDialog

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss()

        self.app.push_screen(UnsavedChangesDialog(self.form.describe(self.saved)), answered)
