"""Step 5, Review: the change field by field against the saved revision, the findings of
the state Update would save, and its rladmin / REST rendering. Apply and Verify act on
the saved settings from here (`a`, `v`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static, TextArea

from state.plan import diff_database
from state.tls_form import TlsForm

from ...text import cells
from ...widgets.exports import ExportTabs
from ...widgets.findings import FindingsView
from .steps import Step, StepView


class ReviewStep(StepView):
    """What Update would change and whether the rules let it; redrawn while it is shown."""

    STEP = Step.REVIEW
    KEYS_FOLLOW_FORM = True

    BINDINGS = [
        Binding("a", "apply_to_server", "Apply to server"),
        Binding("v", "verify_server", "Verify"),
    ]

    DEFAULT_CSS = """
    ReviewStep #review-diff {
        height: auto;
        max-height: 14;
    }
    ReviewStep #review-findings-box {
        height: auto;
        max-height: 10;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="review-title", classes="section-title")
        yield DataTable(id="review-diff", cursor_type="none", zebra_stripes=True)
        yield Static("Findings", classes="section-title")
        with VerticalScroll(id="review-findings-box"):
            yield FindingsView(id="review-findings", empty="No findings: all rules pass.")
        yield Static("Redis Enterprise (after Update)", classes="section-title")
        yield ExportTabs(self.saved, self.wizard.database_name, id="review-exports")

    def on_mount(self) -> None:
        self.query_one("#review-diff", DataTable).add_columns("Field", "Saved", "After Update")
        super().on_mount()

    def show_form(self, form: TlsForm) -> None:
        self.show_outcome()

    def entered(self) -> None:
        # The saved revision may have moved too: always redraw on entering.
        self.stale = False
        self.show_outcome()

    def show_outcome(self) -> None:
        outcome = self.wizard.outcome()
        after = outcome.after
        table = self.query_one("#review-diff", DataTable)
        table.clear()
        name = self.wizard.database_name
        changes = diff_database(self.saved, after, name) if after else []
        for change in changes:
            table.add_row(*cells(change.field, change.before or "-", change.after or "-"))
        title = self.query_one("#review-title", Static)
        revision = self.saved.revision
        if changes:
            count = len(changes)
            title.update(
                f"{count} change{'s' if count != 1 else ''} against the saved revision "
                f"{revision} (nothing is saved until Update)"
            )
        else:
            title.update(f"No changes against the saved revision {revision}.")
        table.display = bool(changes)
        self.query_one("#review-findings", FindingsView).show(outcome.findings)
        self.query_one(ExportTabs).show(after, problem=outcome.problem or "")
        if self.screen.has_class("-short"):
            self.call_after_refresh(self.scroll_to_commands)

    def scroll_to_commands(self) -> None:
        """In a short terminal the rladmin box opens on its first command (the header
        comments are above it, a scroll away), so it shows commands, not only comments."""
        text = self.query_one("#export-rladmin-text", TextArea)
        lines = text.text.splitlines()
        first = next((i for i, line in enumerate(lines) if not line.startswith("#")), 0)
        text.scroll_to(y=max(first - 1, 0), animate=False)

    def action_apply_to_server(self) -> None:
        """Apply the saved settings to a redis-server; pending edits must be updated first."""
        if self.form.is_dirty(self.saved):
            self.notify("Update first: Apply to server applies the saved settings.")
            return
        from ..apply import ApplyScreen

        self.app.push_screen(ApplyScreen(self.wizard.database_name))

    def action_verify_server(self) -> None:
        from ..apply import VerifyScreen

        self.app.push_screen(VerifyScreen(self.wizard.database_name))
