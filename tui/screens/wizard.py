"""The TLS wizard for one database: the documented steps in order, pending until Update.

Enable -> Mode -> Certificates -> Subject names -> Review. Every edit changes a
`TlsForm` (state/wizard_form.py); nothing is saved until Update on the Review step, which
builds the new state with the same operations as `tls-wizard db tls` and hands it to
`app.commit`. Leaving with pending edits asks first; a stale revision offers a reload,
after which the edits are replayed on the newer state.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import (
    Button,
    ContentSwitcher,
    DataTable,
    Footer,
    Input,
    Label,
    OptionList,
    RadioButton,
    RadioSet,
    Static,
    Switch,
)
from textual.widgets.option_list import Option

from state.certificates import CertificateInfo, describe_pem, needs_its_ca
from state.errors import WizardError
from state.findings import Finding, errors
from state.model import MODE_LABELS, TLS_MODES, Database, State, TlsSettings
from state.plan import diff_database
from state.tls_effect import client_auth_effect
from state.versions import aa_tls_toggle
from state.wizard_form import (
    TlsForm,
    database_findings,
    name_list_problems,
    name_list_warnings,
    parse_subject_list,
)

from ..messages import StateChanged
from ..text import cells, escape
from ..widgets.certificate_card import CertificateCard
from ..widgets.exports import ExportTabs
from ..widgets.findings import FindingsView, findings_markup
from ..widgets.inspector_details import details_markup
from ..widgets.step_indicator import StepIndicator

WIDE = 130
"""From this many columns on, the Certificates step shows the focused card's details."""
STEPS = ("Enable", "Mode", "Certificates", "Subject names", "Review")
STEP_IDS = ("step-enable", "step-mode", "step-certificates", "step-names", "step-review")

MODE_MEANING = {
    "all": "clients and replication both connect with TLS; plain-text connections are refused.",
    "replica-of": "only replication between databases (Replica Of) is encrypted; clients "
    "may still connect in plain text.",
    "crdb": "only the synchronization between the participating clusters of this "
    "Active-Active database is encrypted.",
}
AA_LOCK = (
    "Locked: Redis Enterprise {version} cannot enable or disable TLS of an Active-Active "
    "database after it is created (it was created {how} TLS; possible from 7.8). Its TLS "
    "configuration can still be changed."
)
AA_TOGGLE = (
    "Active-Active (created {how} TLS): from Redis Enterprise 7.8, turning TLS on or off "
    "goes through `crdb-cli crdb update --encryption`; the Review step shows the command."
)
AA_TOGGLE_UNKNOWN = (
    "Active-Active (created {how} TLS): turning TLS on or off works only from Redis "
    "Enterprise 7.8 (crdb-cli); the cluster's version is not known (cluster screen, v)."
)
CLIENT_AUTH_ON = (
    "Clients must present a certificate signed by, or equal to, one of the database's "
    "certificates (next steps)."
)
CLIENT_AUTH_OFF = (
    "Off: encryption without authentication. Traffic is encrypted, but any client "
    "may connect; no client certificate is asked for."
)
TLS_OFF_NOTE = "TLS is off for this database: these settings take effect once it is enabled."


def client_auth_text(mode: str, enforced: bool) -> str:
    """The Enable step's line under "Enforce client authentication", true for the mode: in
    Replica Of only and CRDB only modes it is about the link, and clients use plain text."""
    if mode == "all":
        return CLIENT_AUTH_ON if enforced else CLIENT_AUTH_OFF
    effect = client_auth_effect(TlsSettings(enabled=True, mode=mode, enforce_client_auth=enforced))
    effect = effect.removeprefix("client authentication is off: ")
    return (effect[0].upper() + effect[1:] if enforced else f"Off: {effect}") + "."


class NameListValidator(Validator):
    """The comma-separated authorized names (or `;`-separated subjects for full-subject)."""

    def __init__(self, full_subject: bool = False) -> None:
        super().__init__()
        self.full_subject = full_subject

    def validate(self, value: str) -> ValidationResult:
        problems = parse_subject_list(value)[1] if self.full_subject else name_list_problems(value)
        if problems:
            return self.failure("; ".join(problems))
        return self.success()


class TlsWizardScreen(Screen):
    """Edit one database's TLS settings, step by step; `database` is its name."""

    BINDINGS = [
        Binding("escape", "leave", "Leave"),
        Binding("ctrl+b", "step(-1)", "Back", key_display="^b"),
        Binding("ctrl+n", "step(1)", "Next", key_display="^n"),
        Binding("ctrl+s", "update", "Update", key_display="^s"),
        Binding("a", "add_certificates", "Add"),
        Binding("delete,x", "remove_certificate", "Remove", key_display="x"),
        Binding("enter", "inspect", "Inspect", key_display="⏎"),
        Binding("s", "add_syncer", "Add syncer"),
        Binding("r", "replica_clusters", "Replicas"),
        Binding("e", "toggle_encryption", "Encrypt"),
        Binding("p", "source_certificate", "Source cert"),
        Binding("a", "apply_to_server", "Apply to server"),
        Binding("v", "verify_server", "Verify"),
    ]

    def __init__(self, database: str) -> None:
        super().__init__()
        self.database_name = database
        self.step = 0

    # -- the state ------------------------------------------------------------------------

    @property
    def saved(self) -> State:
        return self.app.state  # type: ignore[attr-defined]

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

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self.form = TlsForm.from_state(self.saved, self.database_name)
        self.form_base = self.saved
        database = self.database
        kind = "Active-Active" if database.is_active_active else "standard"
        yield Static(
            f"TLS · [b]{escape(database.name)}[/]  [dim]{kind} database, port {database.port}[/]",
            classes="screen-title",
        )
        yield StepIndicator(STEPS, id="step-indicator")
        with ContentSwitcher(id="wizard-steps", initial=STEP_IDS[0]):
            yield from self.compose_enable(database)
            yield from self.compose_mode(database)
            yield from self.compose_certificates()
            yield from self.compose_names()
            yield from self.compose_review()
        with Horizontal(id="wizard-nav"):
            yield Button("Back", id="back", compact=True)
            yield Button("Next", id="next", variant="primary", compact=True)
            yield Static(classes="spacer")
            yield Button("Update", id="update", variant="success", compact=True)
        yield Footer(compact=True)

    def compose_enable(self, database: Database) -> ComposeResult:
        version = self.saved.cluster.version
        toggle = aa_tls_toggle(version) if database.is_active_active else True
        locked = toggle is False
        how = "with" if database.created_with_tls else "without"
        with VerticalScroll(id="step-enable", classes="step"):
            with Horizontal(classes="switch-row"):
                yield Switch(self.form.enabled, id="tls-enabled", disabled=locked)
                yield Label("TLS")
            if locked:
                text = AA_LOCK.format(how=how, version=version)
                yield Static(escape(text), id="tls-locked", classes="locked")
            elif database.is_active_active:
                text = (AA_TOGGLE if toggle else AA_TOGGLE_UNKNOWN).format(how=how)
                yield Static(escape(text), id="tls-aa-toggle", classes="explain")
            else:
                yield Static(
                    "Encrypt connections to this database.", id="tls-explain", classes="explain"
                )
            with Horizontal(classes="switch-row"):
                yield Switch(self.form.enforce_client_auth, id="client-auth")
                yield Label("Enforce client authentication")
            yield Static("", id="client-auth-explain", classes="explain")

    def compose_mode(self, database: Database) -> ComposeResult:
        with VerticalScroll(id="step-mode", classes="step"):
            yield Static("", classes="explain tls-off-note")
            with RadioSet(id="mode-set"):
                for mode in TLS_MODES:
                    yield RadioButton(
                        MODE_LABELS[mode],
                        value=self.form.mode == mode,
                        id=f"mode-{mode}",
                        disabled=mode == "crdb" and not database.is_active_active,
                    )
            yield Static("", id="mode-explain")

    def compose_certificates(self) -> ComposeResult:
        with Vertical(id="step-certificates", classes="step"):
            yield Static(
                "Client certificates and CAs this database trusts. "
                "[b]a[/] add (paste) · [b]x[/] remove · [b]⏎[/] inspect",
                classes="hint",
            )
            with Horizontal(id="cards-row"):
                yield VerticalScroll(id="cards")
                with VerticalScroll(id="card-details-box"):
                    yield Static("", id="card-details")
            yield Static("Syncer certificates this database needs", classes="section-title")
            yield Static(
                "None: no cluster hosts a replica of it ([b]r[/] names them) and no "
                "participating cluster.",
                id="syncer-none",
                classes="hint",
            )
            yield OptionList(id="syncer-checklist")
            yield Static(
                "Replica Of sources (this database is a replica)",
                classes="section-title",
                id="sources-title",
            )
            yield OptionList(id="source-checklist")

    def compose_names(self) -> ComposeResult:
        with Vertical(id="step-names", classes="step"):
            yield Static("", classes="explain tls-off-note")
            with Horizontal(classes="switch-row"):
                yield Switch(self.form.subject_validation != "none", id="san-enforced")
                yield Label("Enforce Subject Alternative Name")
            with Horizontal(classes="switch-row"):
                yield Switch(self.form.subject_validation == "full-subject", id="full-subject")
                yield Label("Match the full subject (CN, O, OU, L, ST, C) instead")
            yield Static("", id="names-label", classes="hint")
            yield Input(
                self.names_value(),
                id="names-input",
                validators=[NameListValidator(self.form.subject_validation == "full-subject")],
                valid_empty=True,
            )
            yield Static("", id="names-problems")
            yield DataTable(id="names-table", cursor_type="row")

    def compose_review(self) -> ComposeResult:
        with Vertical(id="step-review", classes="step"):
            yield Static("", id="review-title", classes="section-title")
            yield DataTable(id="review-diff", cursor_type="none", zebra_stripes=True)
            yield Static("Findings", classes="section-title")
            with VerticalScroll(id="review-findings-box"):
                yield FindingsView(id="review-findings", empty="No findings: all rules pass.")
            yield Static("Redis Enterprise (after Update)", classes="section-title")
            yield ExportTabs(self.saved, self.database_name, id="review-exports")

    def on_resize(self, event: events.Resize) -> None:
        # A wide terminal shows the focused card's full details beside the cards.
        self.set_class(event.size.width >= WIDE, "-wide")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, CertificateCard):
            card = event.widget
            self.query_one("#card-details", Static).update(
                details_markup(card.certificate)
                + "\n\n"
                + findings_markup(card.findings, empty="No findings.", show_where=False)
            )

    def on_mount(self) -> None:
        self.query_one("#names-table", DataTable).add_columns("Certificate", "Names", "Accepted")
        self.query_one("#review-diff", DataTable).add_columns("Field", "Saved", "After Update")
        self.refresh_all()
        self.go_to(0)

    # -- redrawing from the form ------------------------------------------------------------

    def names_value(self) -> str:
        if self.form.subject_validation == "full-subject":
            return self.form.subjects_text
        return self.form.names_text

    def refresh_all(self) -> None:
        self.refresh_enable()
        self.refresh_mode()
        self.refresh_certificates()
        self.refresh_names()
        if self.step == 4:
            self.refresh_review()
        self.refresh_nav()

    def refresh_enable(self) -> None:
        self.query_one("#tls-enabled", Switch).value = self.form.enabled
        self.query_one("#client-auth", Switch).value = self.form.enforce_client_auth
        explain = self.query_one("#client-auth-explain", Static)
        explain.update(client_auth_text(self.form.mode, self.form.enforce_client_auth))
        explain.set_class(not self.form.enforce_client_auth, "locked")
        for note in self.query(".tls-off-note").results(Static):
            note.update(TLS_OFF_NOTE if not self.form.enabled else "")
            note.display = not self.form.enabled

    def refresh_mode(self) -> None:
        lines = []
        for mode in TLS_MODES:
            if mode == "crdb" and not self.database.is_active_active:
                meaning = "for Active-Active databases only."
            else:
                meaning = MODE_MEANING[mode]
            marker = "[b]→[/] " if mode == self.form.mode else "  "
            style = "b" if mode == self.form.mode else "dim"
            lines.append(f"{marker}[{style}]{escape(MODE_LABELS[mode])}[/]: {escape(meaning)}")
        self.query_one("#mode-explain", Static).update("\n".join(lines))

    def refresh_certificates(self) -> None:
        cards = self.query_one("#cards", VerticalScroll)
        focused_sha = getattr(self.focused, "certificate", None)
        focused_sha = focused_sha.sha256 if focused_sha is not None else None
        cards.remove_children()
        syncer_of = {p.syncer_certificate: p.name for p in self.saved.participants}
        saved = set(self.database.tls.certificates)
        new_cards = []
        trusted = [self.certificate(sha) for sha in self.form.certificates]
        for sha in self.form.certificates:
            notes = []
            if sha in syncer_of:
                notes.append(f"syncer of {syncer_of[sha]}")
            if sha not in saved:
                notes.append("new, not saved yet")
            new_cards.append(
                CertificateCard(self.certificate(sha), note=" · ".join(notes), alongside=trusted)
            )
        if new_cards:
            cards.mount_all(new_cards)
            if focused_sha in self.form.certificates:
                self.call_after_refresh(self._focus_card, focused_sha)
        else:
            cards.mount(
                Static(
                    "No certificates yet. Press [b]a[/] to paste a client certificate or a CA.",
                    classes="hint",
                )
            )
        self.refresh_checklist()

    def _focus_card(self, sha: str) -> None:
        for card in self.query(CertificateCard):
            if card.certificate.sha256 == sha:
                card.focus()

    def refresh_checklist(self) -> None:
        self.refresh_sources()
        checklist = self.query_one("#syncer-checklist", OptionList)
        highlighted = checklist.highlighted
        checklist.clear_options()
        rows = self.form.syncer_checklist(self.saved)
        # No needed syncer: one line of text instead of an empty list box (room at 80x24).
        checklist.display = bool(rows)
        self.query_one("#syncer-none", Static).display = not rows
        if not rows:
            return
        for cluster, known, trusted in rows:
            if trusted:
                text = f"[$text-success]✓[/] {escape(cluster)}: syncer certificate trusted"
            elif known:
                text = f"[$text-error]✗[/] {escape(cluster)}: missing; press [b]s[/] to add it"
            else:
                text = (
                    f"[$text-error]✗[/] {escape(cluster)}: unknown cluster; add it as a "
                    "participant on the cluster screen (c)"
                )
            checklist.add_option(Option(text, id=cluster))
        if highlighted is not None and highlighted < checklist.option_count:
            checklist.highlighted = highlighted

    def refresh_sources(self) -> None:
        """The replica side: each source's encryption and the source cluster's proxy
        certificate it holds, with the keys that fix what is missing."""
        checklist = self.query_one("#source-checklist", OptionList)
        highlighted = checklist.highlighted
        checklist.clear_options()
        rows = self.form.source_checklist(self.saved)
        checklist.display = bool(rows)
        self.query_one("#sources-title", Static).display = bool(rows)
        for uri, encryption, label in rows:
            if not encryption:
                text = (
                    f"[$text-warning]·[/] {escape(uri)}: no encryption; press [b]e[/] to "
                    "encrypt the link"
                )
            elif label is None:
                text = (
                    f"[$text-error]✗[/] {escape(uri)}: encryption, no source proxy "
                    "certificate; press [b]p[/] to paste it"
                )
            else:
                text = f"[$text-success]✓[/] {escape(uri)}: encryption, trusts {escape(label)}"
            checklist.add_option(Option(text, id=uri))
        if highlighted is not None and highlighted < checklist.option_count:
            checklist.highlighted = highlighted

    def refresh_names(self) -> None:
        form = self.form
        enforced = form.subject_validation != "none"
        full = form.subject_validation == "full-subject"
        self.query_one("#full-subject", Switch).disabled = not enforced
        names_input = self.query_one("#names-input", Input)
        names_input.disabled = not enforced
        label = self.query_one("#names-label", Static)
        if full:
            label.update(
                "Authorized subjects, separated by ';' (e.g. CN=app1.example.com,O=Example; "
                "CN=app2.example.com; OU may repeat). Every field must match, case-sensitively."
            )
            names_input.placeholder = "CN=app1.example.com,O=Example; CN=app2.example.com"
        else:
            label.update(
                "Authorized names, comma-separated: a client is accepted when a SAN DNS entry "
                "or its CN equals one of them exactly (case-sensitive)."
            )
            names_input.placeholder = "app1.example.com, app2.example.com"
        table = self.query_one("#names-table", DataTable)
        table.clear()
        subjects = form.subjects()
        names = form.names()
        certificates = [self.certificate(sha) for sha in form.certificates]
        rows = form.name_rows(self.saved, certificates)
        for sha, label, shown, verdict in rows:
            if verdict != "no" and needs_its_ca(self.certificate(sha), certificates):
                verdict += "; a redis-server also needs its CA"
            table.add_row(*cells(label, shown, verdict), key=sha)
        problems = self.query_one("#names-problems", Static)
        problem_list = (
            parse_subject_list(names_input.value)[1]
            if full
            else name_list_problems(names_input.value)
        )
        warnings = [] if full else name_list_warnings(names_input.value)
        if enforced and any(verdict.startswith("not checked") for *_, verdict in rows):
            warnings.insert(
                0,
                "a leaf certificate is trusted: the cluster skips subject validation; "
                "trust only CA certificates",
            )
        lines = [f"[$text-error]✗[/] {escape(p)}" for p in problem_list]
        if enforced and not problem_list and not (subjects if full else names):
            lines.append("[$text-error]✗[/] the list is empty: add at least one name")
        lines += [f"[$text-warning]![/] {escape(w)}" for w in warnings]
        problems.update("\n".join(lines) if enforced else "")

    def pending(self) -> tuple[State | None, str | None]:
        """The state Update would save, or the one-line reason it cannot be built."""
        try:
            return self.form.apply(self.saved), None
        except WizardError as error:
            return None, str(error)

    def review_findings(self, after: State | None, problem: str | None) -> list[Finding]:
        if after is None:
            return [Finding("error", "refused", problem or "", "")]
        prefix = f"databases.{self.database_name}"
        return [
            Finding(f.severity, f.code, f.message, f.where.removeprefix(prefix).lstrip("."))
            for f in database_findings(after, self.database_name)
        ]

    def refresh_review(self) -> None:
        after, problem = self.pending()
        table = self.query_one("#review-diff", DataTable)
        table.clear()
        changes = diff_database(self.saved, after, self.database_name) if after else []
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
        findings = self.review_findings(after, problem)
        self.query_one("#review-findings", FindingsView).show(findings)
        self.query_one(ExportTabs).show(after, problem=problem or "")

    def refresh_nav(self) -> None:
        self.query_one("#back", Button).disabled = self.step == 0
        next_button = self.query_one("#next", Button)
        next_button.disabled = self.step == len(STEPS) - 1
        update = self.query_one("#update", Button)
        if self.step == len(STEPS) - 1:
            after, problem = self.pending()
            blocked = after is None or bool(errors(self.review_findings(after, problem)))
            unchanged = after is not None and not self.form.is_dirty(self.saved)
            update.disabled = blocked or unchanged
            update.label = "Fix errors first" if blocked else "Update"
        else:
            update.disabled = False
            update.label = "Review and Update"
        self.refresh_bindings()

    # -- steps ----------------------------------------------------------------------------

    def go_to(self, step: int) -> None:
        self.step = max(0, min(step, len(STEPS) - 1))
        self.query_one("#step-indicator", StepIndicator).current = self.step
        self.query_one(ContentSwitcher).current = STEP_IDS[self.step]
        if self.step == 4:
            self.refresh_review()
        self.refresh_nav()
        self.call_after_refresh(self.focus_step)

    def focus_step(self) -> None:
        container = self.query_one(f"#{STEP_IDS[self.step]}")
        cards = list(container.query(CertificateCard))
        if cards:
            cards[0].focus()
            return
        for widget in container.query("*").results(Widget):
            if widget.focusable:
                widget.focus()
                return
        self.query_one("#next" if self.step < len(STEPS) - 1 else "#update", Button).focus()

    def action_step(self, delta: int) -> None:
        self.go_to(self.step + delta)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Certificate keys only on the Certificates step; Back/Next only where they lead."""
        if action in ("apply_to_server", "verify_server"):
            return self.step == len(STEPS) - 1  # the Review step ("a" is Add elsewhere)
        if action in ("replica_clusters", "toggle_encryption", "source_certificate"):
            if self.step != 2:
                return False
            if action == "replica_clusters":
                return not self.database.is_active_active
            return bool(self.form.sources)
        if action in ("add_certificates", "remove_certificate", "inspect", "add_syncer"):
            if self.step != 2:
                return False
            if action in ("remove_certificate", "inspect"):
                return isinstance(self.focused, CertificateCard) or None
            if action == "add_syncer":
                return any(known and not trusted for _c, known, trusted in self._checklist())
        if action == "step":
            delta = parameters[0] if parameters else 0
            target = self.step + int(delta)  # type: ignore[call-overload]
            return 0 <= target < len(STEPS) or None
        return True

    def _checklist(self) -> list[tuple[str, bool, bool]]:
        return self.form.syncer_checklist(self.saved)

    # -- events from the widgets ------------------------------------------------------------

    @on(Button.Pressed, "#back")
    def pressed_back(self) -> None:
        self.action_step(-1)

    @on(Button.Pressed, "#next")
    def pressed_next(self) -> None:
        self.action_step(1)

    @on(Button.Pressed, "#update")
    def pressed_update(self) -> None:
        self.action_update()

    @on(Switch.Changed, "#tls-enabled")
    def tls_switched(self, event: Switch.Changed) -> None:
        self.form.enabled = event.value
        self.refresh_enable()
        self.refresh_nav()

    @on(Switch.Changed, "#client-auth")
    def client_auth_switched(self, event: Switch.Changed) -> None:
        self.form.enforce_client_auth = event.value
        self.refresh_enable()
        self.refresh_nav()

    @on(RadioSet.Changed, "#mode-set")
    def mode_chosen(self, event: RadioSet.Changed) -> None:
        button_id = event.pressed.id or ""
        self.form.mode = button_id.removeprefix("mode-")
        self.refresh_mode()
        self.refresh_enable()

    @on(Switch.Changed, "#san-enforced")
    def san_switched(self, event: Switch.Changed) -> None:
        full = self.query_one("#full-subject", Switch).value
        self.form.subject_validation = (
            ("full-subject" if full else "san") if event.value else "none"
        )
        self.after_validation_choice()

    @on(Switch.Changed, "#full-subject")
    def full_subject_switched(self, event: Switch.Changed) -> None:
        if self.form.subject_validation == "none":
            return
        self.form.subject_validation = "full-subject" if event.value else "san"
        self.after_validation_choice()

    def after_validation_choice(self) -> None:
        names_input = self.query_one("#names-input", Input)
        names_input.validators = [NameListValidator(self.form.subject_validation == "full-subject")]
        with names_input.prevent(Input.Changed):
            names_input.value = self.names_value()
        self.refresh_names()
        self.refresh_nav()

    @on(Input.Changed, "#names-input")
    def names_typed(self, event: Input.Changed) -> None:
        if self.form.subject_validation == "full-subject":
            self.form.subjects_text = event.value
        else:
            self.form.names_text = event.value
        self.refresh_names()

    @on(OptionList.OptionSelected, "#syncer-checklist")
    def checklist_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.add_syncer(event.option.id)

    def on_state_changed(self, message: StateChanged) -> None:
        """The state was saved or reloaded: replay the pending edits on the newer state."""
        if self.saved.database(self.database_name) is None:
            self.notify(
                f"Database {self.database_name!r} was removed by another writer.",
                severity="error",
            )
            self.dismiss()
            return
        self.form = self.form.rebase(self.form_base, self.saved)
        self.form_base = self.saved
        self.refresh_all()

    # -- certificate actions ------------------------------------------------------------------

    def action_add_certificates(self) -> None:
        from ..dialogs.paste import PasteCertificatesDialog

        def added(certificates: list[CertificateInfo] | None) -> None:
            if not certificates:
                return
            skipped = self.form.add_certificates(certificates)
            for note in skipped:
                self.notify(note, severity="warning")
            added_count = len(certificates) - len(skipped)
            if added_count:
                self.notify(
                    f"{added_count} certificate{'s' if added_count != 1 else ''} added "
                    "(pending until Update)."
                )
            self.refresh_certificates()
            self.refresh_names()
            self.refresh_nav()

        self.app.push_screen(
            PasteCertificatesDialog(
                f"Add certificates to {self.database_name} (client certificate or CA)",
                alongside=[self.certificate(sha) for sha in self.form.certificates],
            ),
            added,
        )

    def action_remove_certificate(self) -> None:
        card = self.focused
        if not isinstance(card, CertificateCard):
            self.notify("Select a certificate card first (Tab).", severity="warning")
            return
        self.form.remove_certificate(card.certificate.sha256)
        self.notify(f"{card.certificate.label} removed (pending until Update).")
        self.refresh_certificates()
        self.refresh_names()
        self.refresh_nav()
        self.call_after_refresh(self._focus_first_card)

    def _focus_first_card(self) -> None:
        cards = list(self.query(CertificateCard))
        if cards:
            cards[0].focus()

    def action_inspect(self) -> None:
        card = self.focused
        if isinstance(card, CertificateCard):
            self.app.action_open("inspector", card.certificate.pem)  # type: ignore[attr-defined]

    def action_add_syncer(self) -> None:
        checklist = self.query_one("#syncer-checklist", OptionList)
        rows = self._checklist()
        chosen = None
        if checklist.has_focus and checklist.highlighted is not None:
            option = checklist.get_option_at_index(checklist.highlighted)
            chosen = option.id
        if chosen is None:
            chosen = next((c for c, known, trusted in rows if known and not trusted), None)
        if chosen is None:
            self.notify("Every needed syncer certificate is already trusted.")
            return
        self.add_syncer(chosen)

    def chosen_source(self) -> str | None:
        """The highlighted source when the source checklist has the focus, else the first."""
        checklist = self.query_one("#source-checklist", OptionList)
        if checklist.has_focus and checklist.highlighted is not None:
            return checklist.get_option_at_index(checklist.highlighted).id
        return self.form.sources[0].uri if self.form.sources else None

    def action_replica_clusters(self) -> None:
        from ..dialogs.replica_clusters import ReplicaClustersDialog

        state = self.saved
        known = [state.cluster.name, *(p.name for p in state.participants)]

        def chosen(clusters: list[str] | None) -> None:
            if clusters is None:
                return
            try:
                self.form.set_replica_clusters(self.saved, clusters)
            except WizardError as error:
                self.notify(str(error), severity="error")
                return
            self.notify("Replica clusters: " + (", ".join(clusters) or "none") + " (pending).")
            self.refresh_certificates()
            self.refresh_nav()

        self.app.push_screen(
            ReplicaClustersDialog(self.database_name, known, self.form.replica_clusters), chosen
        )

    def action_toggle_encryption(self) -> None:
        uri = self.chosen_source()
        if uri is None:
            return
        on = self.form.toggle_source_encryption(uri)
        self.notify(f"{uri}: encryption {'on' if on else 'off'} (pending until Update).")
        self.refresh_sources()
        self.refresh_nav()

    def action_source_certificate(self) -> None:
        from ..dialogs.paste import PasteCertificatesDialog, one_source_certificate

        uri = self.chosen_source()
        if uri is None:
            return

        def pasted(certificates: list[CertificateInfo] | None) -> None:
            certificate = one_source_certificate(self, certificates)
            if certificate is None:
                return
            self.form.set_source_certificate(uri, certificate)
            self.notify(f"{uri}: trusts {certificate.label} (pending until Update).")
            self.refresh_sources()
            self.refresh_nav()

        self.app.push_screen(
            PasteCertificatesDialog(
                f"The proxy certificate of the cluster hosting {uri} (its general settings)"
            ),
            pasted,
        )

    def add_syncer(self, cluster: str) -> None:
        try:
            self.form.add_syncer(self.saved, cluster)
        except WizardError as error:
            self.notify(str(error), severity="error")
            return
        self.notify(f"Syncer certificate of {cluster} added (pending until Update).")
        self.refresh_certificates()
        self.refresh_names()
        self.refresh_nav()

    # -- update and leave ---------------------------------------------------------------------

    def action_update(self) -> None:
        if self.step != len(STEPS) - 1:
            self.go_to(len(STEPS) - 1)
            return
        after, problem = self.pending()
        if after is None:
            self.notify(problem or "refused", title="Cannot update", severity="error")
            return
        blocking = errors(self.review_findings(after, problem))
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
        if self.app.commit(after, change):  # type: ignore[attr-defined]
            self.dismiss()

    def action_leave(self) -> None:
        if not self.form.is_dirty(self.saved):
            self.dismiss()
            return
        from ..dialogs.confirm import UnsavedChangesDialog

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss()

        self.app.push_screen(UnsavedChangesDialog(self.form.describe(self.saved)), answered)

    def action_apply_to_server(self) -> None:
        """Apply the saved settings to a redis-server; pending edits must be updated first."""
        if self.form.is_dirty(self.saved):
            self.notify("Update first: Apply to server applies the saved settings.")
            return
        from .apply import ApplyScreen

        self.app.push_screen(ApplyScreen(self.database_name))

    def action_verify_server(self) -> None:
        from .apply import VerifyScreen

        self.app.push_screen(VerifyScreen(self.database_name))
