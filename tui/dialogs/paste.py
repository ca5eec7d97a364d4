"""Paste certificates (or type a file path) with a live inspector preview.

A `TextArea`, because an `Input` keeps only the first line of a bracketed paste. Every
change is read by the core's inspector (`state.certificates.read` and `check`) and the
preview redraws; a file path on a line of its own is read with `read_certificate_file`
in a worker. A private key pasted here is refused: the text area is emptied together
with its undo history, so the key is neither stored, shown again nor recoverable with
undo. Save returns every certificate read.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from textual import events, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Static, TextArea

from state import clock
from state.certificates import CertificateInfo, CertificateInputError, check, read
from state.certificates import read_certificate_file as read_file
from state.findings import Finding, errors
from state.vocabulary import CertificateUse

from ..text import escape
from ..widgets.days import expiry_markup
from ..widgets.findings import FindingsView
from ..widgets.inspector_guide import checks_markup
from ..widgets.paste_area import PasteArea
from .base import Dialog, DialogButton

KEY_REFUSED = (
    "A private key was pasted: it was refused, not stored, and wiped from the text area. "
    "Paste only certificates (-----BEGIN CERTIFICATE-----); keep private keys in files."
)
TALL = 36
"""Rows from which the dialog also says what a paste is checked for."""
SOURCE_PROXY = "the source cluster's proxy certificate: one certificate"


def guidance(expects: str) -> str:
    """What the empty text area says: what to paste, the other way in, and what happens
    to a private key (lines short enough for the area at 80 columns)."""
    return (
        "Paste PEM certificates here (-----BEGIN CERTIFICATE----- blocks):\n"
        f"{expects[0].upper()}{expects[1:]}.\n"
        "Or type the path of a PEM file on one line (~ is your home).\n"
        "A private key is refused: wiped at once, undo included, not kept."
    )


def details_line(certificate: CertificateInfo) -> str:
    """The second line of a certificate read: the names it covers, its key and its
    fingerprint, what tells two certificates with the same subject apart."""
    names = ", ".join(certificate.sans) or "no SANs"
    if certificate.key_curve:
        key = f"{certificate.key_type} {certificate.key_curve}"
    elif certificate.key_bits:
        key = f"{certificate.key_type} {certificate.key_bits}"
    else:
        key = certificate.key_type
    return f"   names {escape(names)}  key {escape(key)}  sha256 {certificate.sha256[:16]}"


def looks_like_path(text: str) -> bool:
    """One line with no PEM armour: treat it as a file to read rather than as PEM text."""
    stripped = text.strip()
    return bool(stripped) and "\n" not in stripped and "-----" not in stripped


def one_source_certificate(
    screen: Screen, certificates: list[CertificateInfo] | None
) -> CertificateInfo | None:
    """The source cluster's proxy certificate from a paste, or None (with a message on
    `screen` when the paste held more than one): a Replica Of source trusts exactly one."""
    if not certificates:
        return None
    if len(certificates) != 1:
        screen.notify(
            "Paste one certificate: the source cluster's proxy certificate.", severity="error"
        )
        return None
    return certificates[0]


class PasteCertificatesDialog(Dialog[list[CertificateInfo] | None]):
    """`Dialog[list[CertificateInfo] | None]`: the certificates read, or None if cancelled."""

    DEFAULT_CSS = """
    PasteCertificatesDialog > .dialog {
        width: 96;
        max-width: 100%;
    }
    PasteCertificatesDialog #paste-text {
        height: auto;
        min-height: 6;
        max-height: 6;
    }
    PasteCertificatesDialog #paste-preview {
        height: auto;
        max-height: 10;
        border-top: solid $primary-muted;
    }
    PasteCertificatesDialog #paste-certificates {
        height: auto;
    }
    PasteCertificatesDialog #paste-checks {
        height: auto;
        margin-top: 1;
    }
    """

    def __init__(
        self,
        title: str,
        context: str = "client",
        *,
        fqdn: str | None = None,
        alongside: Sequence[CertificateInfo] = (),
        expects: str | None = None,
    ) -> None:
        super().__init__(title)
        self.context = context
        self.expects = expects or CertificateUse(context).words.label
        self.fqdn = fqdn
        self.alongside = list(alongside)  # what the database trusts already
        self.certificates: list[CertificateInfo] = []
        self.findings: list[Finding] = []
        self.key_refused = False

    def dialog_buttons(self) -> Sequence[DialogButton]:
        return (
            DialogButton("save", "Save", "ctrl+s", "save", "primary", disabled=True),
            DialogButton("cancel", "Cancel", "escape", "cancel"),
        )

    def compose_body(self) -> ComposeResult:
        yield PasteArea(
            id="paste-text",
            soft_wrap=False,
            show_line_numbers=False,
            placeholder=guidance(self.expects),
        )
        with VerticalScroll(id="paste-preview"):
            yield Static("Nothing pasted yet.", id="paste-certificates")
            yield FindingsView(id="paste-findings", empty="No problems found.")
        yield Static(self.checks_text(), id="paste-checks")

    def on_mount(self) -> None:
        self.query_one("#paste-findings", FindingsView).display = False
        self.query_one(TextArea).focus()

    def checks_text(self) -> str:
        """What a paste will be checked for, as this dialog's context."""
        return "\n".join(
            ["[b $text-primary]What is checked[/]", *checks_markup(self.fqdn, self.context)]
        )

    def on_resize(self, event: events.Resize) -> None:
        # A pasted chain shows more of itself in a taller terminal; empty, the area keeps
        # the rows its guidance needs, so the dialog stays sized to what it shows.
        area = self.query_one("#paste-text")
        area.styles.max_height = max(6, event.size.height // 3)
        self._show_checks()

    def _show_checks(self) -> None:
        """Until a certificate is read, a tall terminal also says what will be checked."""
        tall = self.size.height >= TALL
        self.query_one("#paste-checks").display = tall and not self.certificates

    # -- reading ------------------------------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        if looks_like_path(text):
            self._show_waiting(text.strip())
            self.read_path(text.strip())
            return
        result = read(text)
        if result.has_private_key:
            self.refuse_key()
            return
        self._preview(result.certificates, result.findings if text.strip() else [])

    @work(thread=True, exclusive=True, group="paste-read")
    def read_path(self, path: str) -> None:
        """Read a file named in the text area; file I/O stays off the event loop."""
        location = Path(path).expanduser()
        try:
            exists = location.exists()
        except (OSError, ValueError):  # a pasted line too long for a name, or with a NUL
            exists = False
        if not exists:
            self.app.call_from_thread(self._show_error, f"{path[:80]}: no such file (yet)")
            return
        try:
            certificates = read_file(location)
        except CertificateInputError as error:
            message = str(error)
            if "private key" in message:
                # Nothing was pasted, so nothing to wipe; the file itself stays where it is.
                message = f"{path} holds a private key: give the certificate file instead"
            self.app.call_from_thread(self._show_error, message)
            return
        self.app.call_from_thread(self._preview, certificates, [])

    def refuse_key(self) -> None:
        """Wipe the text area, undo history included, and say why."""
        text_area = self.query_one(TextArea)
        text_area.load_text("")
        self.key_refused = True
        self.certificates = []
        self.notify(
            "Wiped from the text area; nothing was stored.",
            title="Private key refused",
            severity="error",
            timeout=10,
        )
        self._show_error(KEY_REFUSED)

    # -- showing ------------------------------------------------------------------------

    def _show_waiting(self, path: str) -> None:
        self.certificates = []
        self.query_one("#paste-certificates", Static).update(f"Reading {escape(path)}…")
        self.query_one("#paste-findings", FindingsView).display = False
        self.query_one("#save", Button).disabled = True
        self._show_checks()

    def _show_error(self, message: str) -> None:
        self.certificates = []
        self.query_one("#paste-certificates", Static).update(
            f"[$text-error bold]✗[/] {escape(message)}"
        )
        self.query_one("#paste-findings", FindingsView).display = False
        self.query_one("#save", Button).disabled = True
        self._show_checks()

    def _preview(self, certificates: list[CertificateInfo], read_findings: list[Finding]) -> None:
        self.certificates = list(certificates)
        if certificates:
            self.key_refused = False
        findings = list(read_findings)
        if certificates:
            findings += check(
                certificates,
                self.context,
                fqdn=self.fqdn,
                now=clock.now(),
                alongside=self.alongside,
            )
        self.findings = findings
        lines = []
        for index, certificate in enumerate(certificates, 1):
            name = certificate.label
            issuer = f"CN={certificate.issuer_cn}" if certificate.issuer_cn else certificate.issuer
            lines.append(
                f"[b]{index}. {escape(name)}[/]  [dim]{certificate.role}[/]  "
                f"issuer {escape(issuer)}  expires {expiry_markup(certificate)}"
            )
            lines.append(details_line(certificate))
        status = self.query_one("#paste-certificates", Static)
        if lines:
            count = len(certificates)
            status.update(
                f"{count} certificate{'s' if count != 1 else ''} read:\n" + "\n".join(lines)
            )
        elif self.key_refused:
            status.update(f"[$text-error bold]✗[/] {escape(KEY_REFUSED)}")
        else:
            status.update("Nothing pasted yet." if not read_findings else "No certificate found.")
        view = self.query_one("#paste-findings", FindingsView)
        view.display = bool(certificates or read_findings)
        view.show(findings)
        self.query_one("#save", Button).disabled = not certificates or bool(errors(findings))
        self._show_checks()

    # -- answers ------------------------------------------------------------------------

    def action_save(self) -> None:
        if not self.certificates:
            self.notify("Nothing to save: paste a certificate first.", severity="warning")
            return
        if errors(self.findings):
            self.notify(
                "These certificates would be refused (see the errors); fix or cancel.",
                severity="error",
            )
            return
        self.dismiss(list(self.certificates))

    def action_cancel(self) -> None:
        self.query_one(TextArea).load_text("")
        self.dismiss(None)
