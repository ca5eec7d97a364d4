"""Step 4, Subject names: enforce Subject Alternative Name (or the full subject), the
authorized list, and which trusted certificate it accepts, judged as the cluster would."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.validation import ValidationResult, Validator
from textual.widgets import DataTable, Input, Label, Static, Switch

from state.certificates import needs_its_ca
from state.tls_form import (
    NameRow,
    TlsForm,
    name_list_problems,
    name_list_warnings,
    parse_subject_list,
)
from state.vocabulary import SubjectValidation

from ...text import cells, escape
from .details import StepDetails
from .steps import TLS_OFF_NOTE, Step, StepView

SAN_LABEL = (
    "Authorized names, comma-separated: a client is accepted when a SAN DNS entry "
    "or its CN equals one of them exactly (case-sensitive)."
)
SUBJECTS_LABEL = (
    "Authorized subjects, separated by ';' (e.g. CN=app1.example.com,O=Example; "
    "CN=app2.example.com; OU may repeat). Every field must match, case-sensitively."
)


class NameListValidator(Validator):
    """The comma-separated authorized names (or `;`-separated subjects for full-subject)."""

    def __init__(self, full_subject: bool = False) -> None:
        super().__init__()
        self.full_subject = full_subject

    def validate(self, value: str) -> ValidationResult:
        problems = (
            parse_subject_list(value).problems if self.full_subject else name_list_problems(value)
        )
        if problems:
            return self.failure("; ".join(problems))
        return self.success()


NAMES_ABOUT = (
    "The cluster checks these names (REST client_cert_subject_validation_type san_cn or "
    "full_subject) only for clients of a trusted CA: with a leaf certificate in the list "
    "it skips the check."
)
NAMES_COLUMNS = ("Certificate", "Names", "Accepted")
CELL_PADDING = 2
"""A DataTable column takes its width plus one cell of padding on either side."""


def column_widths(available: int, rows: list[NameRow]) -> tuple[int, ...]:
    """Widths for Certificate, Names and Accepted within `available` cells: each column as
    wide as its longest cell when that fits; otherwise Accepted (the point of the table)
    keeps up to half, Certificate up to a quarter, and Names wraps in what is left."""
    room = max(available - CELL_PADDING * len(NAMES_COLUMNS), 3 * 8)
    longest = [
        max([len(title), *(len(row[index + 1]) for row in rows)])
        for index, title in enumerate(NAMES_COLUMNS)
    ]
    if sum(longest) <= room:
        return tuple(longest)
    accepted = min(longest[2], max(room // 2, 8))
    certificate = min(longest[0], max(room // 4, 8))
    names = max(room - accepted - certificate, 8)
    return certificate, names, accepted


def names_value(form: TlsForm) -> str:
    """The list the input edits: subjects for full-subject validation, names otherwise."""
    if form.subject_validation == SubjectValidation.FULL_SUBJECT:
        return form.subjects_text
    return form.names_text


class NamesStep(StepView):
    """The two switches, the list, its problems and the table of accepted certificates."""

    STEP = Step.NAMES

    DEFAULT_CSS = """
    NamesStep #full-subject-row {
        margin-top: 0;
    }
    NamesStep #names-input {
        margin: 0 0;
    }
    NamesStep #names-problems {
        height: auto;
        padding: 0 1;
    }
    NamesStep .step-content {
        height: auto;
        max-height: 100%;
    }
    NamesStep #names-table {
        height: auto;
        max-height: 12;
    }
    """

    drawn_table: tuple[object, ...] | None = None
    """The widths and rows the table shows: typing that changes neither leaves it alone."""

    def compose(self) -> ComposeResult:
        form = self.form
        full = form.subject_validation == SubjectValidation.FULL_SUBJECT
        with Vertical(classes="step-body"):
            with Vertical(classes="step-content"):
                yield Static("", classes="explain tls-off-note")
                with Horizontal(classes="toggle-row"):
                    yield Switch(
                        form.subject_validation != SubjectValidation.NONE, id="san-enforced"
                    )
                    yield Label("Enforce Subject Alternative Name")
                with Horizontal(classes="toggle-row", id="full-subject-row"):
                    yield Switch(full, id="full-subject")
                    yield Label("Match the full subject (CN, O, OU, L, ST, C) instead")
                yield Static("", id="names-label", classes="hint")
                yield Input(
                    names_value(form),
                    id="names-input",
                    validators=[NameListValidator(full)],
                    valid_empty=True,
                )
                yield Static("", id="names-problems")
                yield DataTable(id="names-table", cursor_type="row")
            yield StepDetails()

    def on_resize(self) -> None:
        # The column widths follow the table's width (see `column_widths`).
        self.show_table(self.form)

    def show_form(self, form: TlsForm) -> None:
        enforced = form.subject_validation != SubjectValidation.NONE
        full = form.subject_validation == SubjectValidation.FULL_SUBJECT
        note = self.query_one(".tls-off-note", Static)
        note.update(TLS_OFF_NOTE if not form.enabled else "")
        note.display = not form.enabled
        # With validation off the full-subject switch keeps its position (and is disabled),
        # so turning SAN back on returns to the kind chosen before.
        self.set_switch("#san-enforced", enforced)
        if enforced:
            self.set_switch("#full-subject", full)
        self.query_one("#full-subject", Switch).disabled = not enforced
        names_input = self.query_one("#names-input", Input)
        names_input.disabled = not enforced
        validator = names_input.validators[0] if names_input.validators else None
        if not isinstance(validator, NameListValidator) or validator.full_subject != full:
            names_input.validators = [NameListValidator(full)]
            names_input.validate(names_input.value)
        if names_input.value != names_value(form):
            with names_input.prevent(Input.Changed):
                names_input.value = names_value(form)
        self.query_one("#names-label", Static).update(SUBJECTS_LABEL if full else SAN_LABEL)
        names_input.placeholder = (
            "CN=app1.example.com,O=Example; CN=app2.example.com"
            if full
            else "app1.example.com, app2.example.com"
        )
        rows = self.show_table(form)
        self.show_problems(form, names_input.value, rows)
        self.query_one(StepDetails).show(self.details(form, NAMES_ABOUT))

    def show_table(self, form: TlsForm) -> list[NameRow]:
        table = self.query_one("#names-table", DataTable)
        certificates = [self.certificate(sha) for sha in form.certificates]
        rows = form.name_rows(self.saved, certificates)
        shown_rows: list[NameRow] = []
        for sha, label, shown, verdict in rows:
            if verdict != "no" and needs_its_ca(self.certificate(sha), certificates):
                verdict += "; a redis-server also needs its CA"
            shown_rows.append(NameRow(sha, label, shown, verdict))
        widths = column_widths(table.scrollable_content_region.width, shown_rows)
        if (widths, shown_rows) == self.drawn_table:
            return rows
        self.drawn_table = (widths, shown_rows)
        table.clear(columns=True)
        for title, width in zip(NAMES_COLUMNS, widths, strict=True):
            table.add_column(title, width=width)
        for sha, label, shown, verdict in shown_rows:
            # Auto height: a long cell wraps within its column instead of pushing the
            # Accepted column off the screen.
            table.add_row(*cells(label, shown, verdict), key=sha, height=None)
        return rows

    def show_problems(self, form: TlsForm, text: str, rows: list[NameRow]) -> None:
        enforced = form.subject_validation != SubjectValidation.NONE
        full = form.subject_validation == SubjectValidation.FULL_SUBJECT
        problem_list = parse_subject_list(text).problems if full else name_list_problems(text)
        warnings = [] if full else name_list_warnings(text)
        if enforced and any(row.verdict.startswith("not checked") for row in rows):
            warnings.insert(
                0,
                "a leaf certificate is trusted: the cluster skips subject validation; "
                "trust only CA certificates",
            )
        lines = [f"[$text-error]✗[/] {escape(p)}" for p in problem_list]
        if enforced and not problem_list and not (form.subjects() if full else form.names()):
            lines.append("[$text-error]✗[/] the list is empty: add at least one name")
        lines += [f"[$text-warning]![/] {escape(w)}" for w in warnings]
        self.query_one("#names-problems", Static).update("\n".join(lines) if enforced else "")

    @on(Switch.Changed, "#san-enforced")
    def san_switched(self, event: Switch.Changed) -> None:
        full = self.query_one("#full-subject", Switch).value
        self.form.subject_validation = (
            (SubjectValidation.FULL_SUBJECT if full else SubjectValidation.SAN)
            if event.value
            else SubjectValidation.NONE
        )
        self.edited()

    @on(Switch.Changed, "#full-subject")
    def full_subject_switched(self, event: Switch.Changed) -> None:
        if self.form.subject_validation == SubjectValidation.NONE:
            return
        self.form.subject_validation = (
            SubjectValidation.FULL_SUBJECT if event.value else SubjectValidation.SAN
        )
        self.edited()

    @on(Input.Changed, "#names-input")
    def names_typed(self, event: Input.Changed) -> None:
        if self.form.subject_validation == SubjectValidation.FULL_SUBJECT:
            self.form.subjects_text = event.value
        else:
            self.form.names_text = event.value
        self.edited()
