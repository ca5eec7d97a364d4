"""Replace the proxy or syncer certificate: the documented "own certificate" flow.

Step 1, the CSR form (C, ST, L, O, OU, CN defaulting to the FQDN), writes a new key (0600)
and a CSR beside the state, in a worker (RSA key generation takes a moment). Step 2 takes
the CA-signed certificate and its chain (pasted, or a file path), and shows the checks
the install makes (key match, serverAuth and clientAuth, SANs, chain order, validity) as
the text changes. Install calls `Workspace.set_cluster_certificate`, which saves by itself
and refuses what the server would refuse; nothing is saved otherwise.
"""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Grid, Horizontal, Vertical, VerticalScroll
from textual.validation import Function, ValidationResult, Validator
from textual.widgets import (
    Button,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Static,
    TextArea,
)
from textual.worker import get_current_worker

from state.certificates import (
    CertificateInfo,
    CertificateInputError,
)
from state.certificates.issue import SubjectFields, cluster_sans
from state.cluster_replace import (
    CertificateRequest,
    ImportCheck,
    check_import,
    create_request,
    subject_field_problem,
    subject_problems,
)
from state.errors import RefusedError, StaleStateError, WizardError

from ..text import escape
from ..widgets.findings import FindingsView
from ..widgets.frame import AppFooter, AppHeader
from ..widgets.paste_area import PasteArea
from ..widgets.replace_plan import replace_plan_markup
from .base import AppScreen

KEY_WIPED = (
    "A private key was pasted: it was wiped from the text area. Paste only the signed "
    "certificate and its chain; the key is read from the key file above."
)
TALL = 50
"""From this many rows on, the step and its plan stack and the plan shows every detail."""
NOTHING_YET = (
    "Nothing to check yet: paste the certificate and its intermediates above, leaf first, "
    "or type the path of the certificate file."
)
FIELDS = (
    ("cn", "CN", "Common Name"),
    ("country", "C", "Country (2 letters)"),
    ("state", "ST", "State or province"),
    ("locality", "L", "Locality"),
    ("org", "O", "Organization"),
    ("org_unit", "OU", "Organizational unit"),
)


class ReplaceCertificateScreen(AppScreen[None]):
    """Two steps: CSR form, then import of the signed certificate."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (TALL, "-tall")]

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "create", "Create key+CSR"),
        Binding("ctrl+s", "install", "Install"),
        Binding("ctrl+o", "copy_csr", "Copy CSR"),
    ]

    def __init__(self, role: str = "proxy") -> None:
        super().__init__()
        self.role = role
        self.step = 1
        self.request: CertificateRequest | None = None
        self.result: ImportCheck | None = None
        self.busy = False
        self.key_wiped = False

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        fqdn = self.workspace.state.cluster.fqdn
        yield AppHeader()
        with Container(id="replace-body"):
            yield from self.csr_step(fqdn)
            yield from self.import_step()
            with VerticalScroll(id="replace-about"):
                yield Static(id="replace-plan")
        yield AppFooter()

    def csr_step(self, fqdn: str) -> ComposeResult:
        with VerticalScroll(id="csr-step"):
            yield Static(
                "A new private key (RSA 2048, mode 0600, beside the state) and a CSR for your "
                "CA, asking for serverAuth, clientAuth and the SANs "
                f"{escape(', '.join(cluster_sans(fqdn)))}.",
                classes="hint",
            )
            with RadioSet(id="replace-role"):
                yield RadioButton("proxy", value=self.role == "proxy", name="proxy")
                yield RadioButton("syncer", value=self.role == "syncer", name="syncer")
            with Grid(id="csr-fields"):
                for attr, short, label in FIELDS:
                    yield Label(f"{short}", classes="csr-label")
                    yield Input(
                        fqdn if attr == "cn" else "",
                        placeholder=label,
                        id=f"csr-{attr}",
                        validators=[_SubjectFieldRule(attr)],
                        compact=True,
                    )
            yield Static(id="csr-problems", classes="form-problems")
            with Horizontal(id="csr-buttons"):
                yield Button("Create key and CSR", id="csr-create", variant="primary", compact=True)
                yield Button("I already have a key and certificate", id="csr-skip", compact=True)

    def import_step(self) -> ComposeResult:
        with Vertical(id="import-step"):
            yield Static(id="import-request", classes="hint")
            with Horizontal(id="import-key-row"):
                yield Label("Key file", classes="csr-label")
                yield Input(
                    placeholder="the private key that signed the CSR",
                    id="import-key",
                    validators=[Function(lambda v: bool(v.strip()), "Give the key file.")],
                    compact=True,
                )
            yield PasteArea(
                id="import-text",
                soft_wrap=False,
                placeholder="Paste the signed certificate and its chain here (leaf first)",
            )
            with VerticalScroll(id="import-checks-box"):
                yield Static(id="import-status")
                yield FindingsView(id="import-findings", empty="All checks pass.")
            with Horizontal(id="import-buttons"):
                yield Button(
                    "Install", id="import-install", variant="primary", disabled=True, compact=True
                )

    def on_mount(self) -> None:
        self.show_step(1)
        self.query_one("#csr-cn", Input).focus()

    def show_step(self, step: int) -> None:
        self.step = step
        self.query_one("#csr-step").display = step == 1
        self.query_one("#import-step").display = step == 2
        title = "key and CSR" if step == 1 else "install the signed certificate"
        self.title = f"Replace the {self.role} certificate: step {step} of 2, {title}"
        if step == 2:
            self.query_one("#import-findings", FindingsView).display = False
            self.query_one("#import-status", Static).update(NOTHING_YET)
            self.query_one(TextArea).focus()
        self.show_plan()
        self.refresh_bindings()

    def show_plan(self) -> None:
        """What the replacement will do, beside the form (below it when narrow)."""
        subject = self.subject() if self.step == 1 else None
        tall = self.size.height >= TALL
        self.query_one("#replace-plan", Static).update(
            replace_plan_markup(
                self.workspace.state,
                self.role,
                subject,
                full=tall,
                csr_pem=self.request.csr_pem if self.request else "",
            )
        )

    def on_resize(self) -> None:
        self.show_plan()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show Create on the form, Install and Copy CSR on the import step."""
        if action == "create":
            return self.step == 1
        if action == "install":
            return self.step == 2
        if action == "copy_csr":
            return self.step == 2 and self.request is not None
        return True

    # -- step 1: key and CSR -------------------------------------------------------------

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.role = event.pressed.name or self.role
        self.show_step(self.step)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "csr-create":
            self.action_create()
        elif event.button.id == "csr-skip":
            self.request = None
            self.query_one("#import-request", Static).update(
                "Give the key file and paste the CA-signed certificate with its chain "
                "(as rladmin cluster certificate set takes them)."
            )
            self.show_step(2)
        elif event.button.id == "import-install":
            self.action_install()

    def subject(self) -> SubjectFields:
        values = {attr: self.query_one(f"#csr-{attr}", Input).value.strip() for attr, *_ in FIELDS}
        return SubjectFields(**values)

    def form_problems(self) -> list[str]:
        return subject_problems(self.subject())

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("csr-"):
            self.query_one("#csr-problems", Static).update("\n".join(self.form_problems()))
            self.show_plan()
        elif event.input.id == "import-key":
            self.recheck()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id and event.input.id.startswith("csr-"):
            self.action_create()

    def action_create(self) -> None:
        if self.step != 1 or self.busy:
            return
        problems = self.form_problems()
        if problems:
            self.query_one("#csr-problems", Static).update("\n".join(problems))
            self.notify("Fix the CSR fields first.", severity="error")
            return
        self.busy = True
        self.query_one("#csr-problems", Static).update("Creating the key and the CSR…")
        self.query_one("#csr-create", Button).disabled = True
        self.create(self.role, self.subject())

    @work(thread=True, exclusive=True, group="csr-create")
    def create(self, role: str, subject: SubjectFields) -> None:
        """RSA key generation and two fsync'd writes: off the event loop."""
        try:
            request = create_request(self.workspace, role, subject)
        except WizardError as error:
            self.app.call_from_thread(self.create_failed, str(error))
            return
        self.app.call_from_thread(self.created, request)

    def create_failed(self, message: str) -> None:
        self.busy = False
        self.query_one("#csr-create", Button).disabled = False
        # Said once, under the fields (no notification repeating it).
        self.query_one("#csr-problems", Static).update(
            f"[$text-error bold]No key or CSR written:[/] {escape(message)}"
        )

    def created(self, request: CertificateRequest) -> None:
        self.busy = False
        self.request = request
        self.query_one("#csr-create", Button).disabled = False
        folder = self.workspace.folder
        self.query_one("#import-request", Static).update(
            f"Wrote the key [b]{escape(_relative_path(request.key_path, folder))}[/] (0600) and the CSR "
            f"[b]{escape(_relative_path(request.csr_path, folder))}[/]. Have your CA sign the CSR "
            "(ctrl+o copies it), then paste the signed certificate and its chain below."
        )
        key_input = self.query_one("#import-key", Input)
        key_input.value = _relative_path(request.key_path, folder)
        self.notify(f"Key and CSR written to {_relative_path(request.csr_path.parent, folder)}")
        self.show_step(2)

    def action_copy_csr(self) -> None:
        if self.request is None:
            return
        self.app.copy_to_clipboard(self.request.csr_pem)
        self.notify("The CSR is on the clipboard: send it to your CA.", title="Copied")

    # -- step 2: the signed certificate --------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self.key_wiped and not event.text_area.text:
            return  # our own wipe: keep saying why the text went away
        self.key_wiped = False
        self.recheck()

    def key_location(self) -> Path | None:
        value = self.query_one("#import-key", Input).value.strip()
        if not value:
            return None
        return self.workspace.resolve(value)

    def recheck(self) -> None:
        if self.step != 2:
            return
        self.check_import(self.query_one(TextArea).text, self.key_location())

    @work(thread=True, exclusive=True, group="import-check")
    def check_import(self, text: str, key_path: Path | None) -> None:
        """Read the paste (or file) and the key, and run the install's checks."""
        result = check_import(self.workspace, self.role, text, key_path)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_check, result)

    def show_check(self, result: ImportCheck) -> None:
        self.result = result
        if result.had_private_key:
            self.key_wiped = True
            self.query_one(TextArea).load_text("")
        status = self.query_one("#import-status", Static)
        view = self.query_one("#import-findings", FindingsView)
        lines = []
        if result.had_private_key:
            lines.append(f"[$text-error bold]✗[/] {escape(KEY_WIPED)}")
        for index, certificate in enumerate(result.certificates, 1):
            lines.append(
                f"{index}. [b]{escape(certificate.label)}[/] [dim]{certificate.role}[/] "
                f"issuer {escape(certificate.issuer_cn or certificate.issuer)}"
            )
        refusal = result.refusal
        if not result.certificates and not result.had_private_key:
            lines.append(NOTHING_YET)
        if result.certificates or result.problem:
            if refusal:
                lines.append(f"[$text-error bold]Refused:[/] {escape(refusal)}")
            else:
                lines.append("[$text-success]✓ Ready to install (ctrl+s).[/]")
        status.update("\n".join(lines))
        view.display = bool(result.certificates)
        view.show(result.findings)
        self.query_one("#import-install", Button).disabled = bool(refusal)

    def action_install(self) -> None:
        if self.step != 2 or self.busy:
            return
        result = self.result
        if result is None or result.refusal:
            # The refusal is already said under the paste: point there, do not repeat it.
            self.notify("Nothing installed: the reason is under the paste.", severity="error")
            return
        assert result.key_pem is not None
        self.busy = True
        self.query_one("#import-install", Button).disabled = True
        self.install(self.role, result.certificates, result.key_pem)

    @work(thread=True, exclusive=True, group="import-install")
    def install(self, role: str, certificates: list[CertificateInfo], key_pem: bytes) -> None:
        """Writes the key file and saves the state: off the event loop."""
        try:
            state, warnings = self.workspace.set_cluster_certificate(role, certificates, key_pem)
        except StaleStateError as error:
            self.app.call_from_thread(self.install_failed, error)
            return
        except (RefusedError, WizardError, CertificateInputError) as error:
            self.app.call_from_thread(self.install_failed, error)
            return
        self.app.call_from_thread(self.installed, state.revision, len(warnings))

    def install_failed(self, error: Exception) -> None:
        self.busy = False
        self.query_one("#import-install", Button).disabled = False
        if isinstance(error, StaleStateError):
            self.app.show_stale(error)
            return
        message = str(error)
        self.query_one("#import-status", Static).update(
            f"[$text-error bold]Refused, nothing saved:[/] {escape(message)}"
        )

    def installed(self, revision: int, warnings: int) -> None:
        self.busy = False
        more = f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
        self.notify(
            f"Saved revision {revision}: the new {self.role} certificate is set{more}.",
            title="Installed",
        )
        self.app.broadcast_state_changed()
        self.app.pop_screen()

    def action_back(self) -> None:
        if self.step == 2 and self.request is None:
            self.show_step(1)
            return
        self.app.pop_screen()


class _SubjectFieldRule(Validator):
    """Marks a CSR field invalid with the state's own rule for it (`subject_field_problem`)."""

    def __init__(self, attr: str) -> None:
        super().__init__()
        self.attr = attr

    def validate(self, value: str) -> ValidationResult:
        problem = subject_field_problem(self.attr, value)
        return self.failure(problem) if problem else self.success()


def _relative_path(path: Path, folder: Path) -> str:
    """Paths beside the state are shown relative to it: shorter, and the same everywhere."""
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)
