"""The certificate inspector: paste (or name a file), see the chain, the details, the findings.

Everything is read by the core (`state.certificates.read`, `check`, `verify_client`) in a
worker, so a large bundle never freezes the screen. Nothing is stored. A private key in
the paste is still wiped from the text area at once: it should not stay on a screen, in
a scrollback or in an undo history.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static, TextArea, Tree
from textual.worker import get_current_worker

from state import clock
from state.certificates import (
    CertificateInfo,
    CertificateInputError,
    Verdict,
    check,
    read,
    read_bytes_limited,
    verify_client,
)
from state.certificates.report import numbered, outside_the_chain
from state.findings import Finding
from state.vocabulary import CertificateUse

from ..text import escape
from ..widgets.findings import FindingsView
from ..widgets.frame import AppFooter, AppHeader
from ..widgets.inspector_details import details_markup
from ..widgets.inspector_guide import guide_markup
from ..widgets.inspector_tree import InspectorChainTree
from ..widgets.paste_area import PasteArea
from .base import AppScreen

HINT = "Paste certificates, or type a file path (PEM, DER, PKCS#7). Nothing is kept."
KEY_WIPED = (
    "A private key was pasted: it was wiped from the text area and not kept. Inspect "
    "certificates only; keep private keys in files of their own."
)


def looks_like_path(text: str) -> bool:
    """One line without PEM armour: a file to read rather than text to parse."""
    stripped = text.strip()
    return bool(stripped) and "\n" not in stripped and "-----" not in stripped


@dataclass(frozen=True, slots=True)
class Inspection:
    """What one input held and what the core says about it."""

    certificates: list[CertificateInfo]
    findings: list[Finding]
    verdict: str
    has_private_key: bool = False
    source: str = "paste"


CONTEXTS = CertificateUse.values()


def inspect(
    data: bytes | str, source: str = "paste", context: str = "any", fqdn: str | None = None
) -> Inspection:
    """Read, check for `context` and, when the paste holds a whole chain, verify it as a
    server would."""
    result = read(data)
    certificates = result.certificates
    now = clock.now()
    findings = list(result.findings)
    if certificates:
        findings += check(certificates, context, fqdn=fqdn, now=now)
    verdict = chain_verdict(certificates)
    if verdict is not None:  # errors about certificates the chain does not use say so
        findings = outside_the_chain(findings, verdict, numbered(certificates))
    return Inspection(
        certificates, findings, verdict_markup(verdict), result.has_private_key, source
    )


def chain_verdict(certificates: list[CertificateInfo]) -> Verdict | None:
    """Would a database trusting the paste's root accept its leaf as a client certificate?"""
    leaves = [c for c in certificates if not c.is_ca]
    roots = [c for c in certificates if c.is_ca and c.self_signed]
    if not leaves or not roots:
        return None
    leaf = leaves[0]
    intermediates = [c for c in certificates if c.is_ca and not c.self_signed]
    return verify_client(leaf, intermediates, roots, now=clock.now())


def verdict_markup(verdict: Verdict | None) -> str:
    if verdict is None:
        return ""
    if verdict.accepted:
        return f"[$text-success]✓ chain verifies[/] {escape(verdict.reason)}"
    return f"[$text-error bold]✗ chain does not verify[/] {escape(verdict.reason)}"


class InspectorScreen(AppScreen[None]):
    """Paste or open certificates; the chain as a tree, details, findings."""

    TITLE = "Certificate inspector"

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+l", "clear", "Clear"),
        Binding("ctrl+t", "next_context", "Check as"),
    ]

    def __init__(self, text: str = "", source: str = "paste") -> None:
        """`source` says where `text` came from (the Cluster screen passes the state file's
        certificate); once the text is edited, it is a paste."""
        super().__init__()
        self.initial_text = text
        self.initial_source = source
        self.inspection: Inspection | None = None
        self.key_wiped = False
        self.context = "any"

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(HINT, classes="hint", id="inspector-hint")
        yield PasteArea(self.initial_text, id="inspector-text", soft_wrap=False)
        with Horizontal(id="inspector-main"):
            with Vertical(id="inspector-chain-box"):
                yield Static("Chain", classes="section-title")
                yield InspectorChainTree(id="inspector-chain")
            with VerticalScroll(id="inspector-details-box"):
                yield Static(guide_markup(self.context, self.fqdn), id="inspector-details")
        with VerticalScroll(id="inspector-findings-box"):
            yield Static(id="inspector-status")
            yield FindingsView(id="inspector-findings", empty="No problems found.")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#inspector-findings", FindingsView).display = False
        self.query_one("#inspector-findings-box").display = False
        self.query_one(TextArea).focus()
        if self.initial_text:
            self.examine(self.initial_text)

    # -- reading ----------------------------------------------------------------------

    @property
    def fqdn(self) -> str | None:
        """The cluster's FQDN, for the SAN check of proxy and syncer certificates."""
        workspace = self.app.workspace
        return workspace.state.cluster.fqdn if workspace is not None else None

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        if not text.strip():
            if not self.key_wiped:
                self.show(None)
            return
        self.key_wiped = False
        self.examine(text)

    def examine(self, text: str) -> None:
        if looks_like_path(text):
            self.query_one("#inspector-status", Static).update(f"Reading {escape(text.strip())}…")
            self.query_one("#inspector-findings-box").display = True
            self.read_file(text.strip())
        else:
            self.read_text(text)

    @work(thread=True, exclusive=True, group="inspect")
    def read_text(self, text: str) -> None:
        """Parsing a large bundle takes a moment: off the event loop, newest paste wins."""
        source = self.initial_source if text == self.initial_text else "paste"
        inspection = inspect(text, source=source, context=self.context, fqdn=self.fqdn)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show, inspection)

    @work(thread=True, exclusive=True, group="inspect")
    def read_file(self, path: str) -> None:
        location = Path(path).expanduser()
        try:
            data = read_bytes_limited(location)
        except CertificateInputError as error:
            self.app.call_from_thread(self.show_problem, str(error))
            return
        inspection = inspect(data, source=path, context=self.context, fqdn=self.fqdn)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show, inspection)

    # -- showing ----------------------------------------------------------------------

    def show_problem(self, message: str) -> None:
        self.inspection = None
        self.query_one(InspectorChainTree).clear()
        self.query_one("#inspector-details", Static).update("")
        self.query_one("#inspector-status", Static).update(
            f"[$text-error bold]✗[/] {escape(message)}"
        )
        self.query_one("#inspector-findings-box").display = True
        self.query_one("#inspector-findings", FindingsView).display = False

    def show(self, inspection: Inspection | None) -> None:
        self.inspection = inspection
        tree = self.query_one(InspectorChainTree)
        details = self.query_one("#inspector-details", Static)
        status = self.query_one("#inspector-status", Static)
        findings = self.query_one("#inspector-findings", FindingsView)
        box = self.query_one("#inspector-findings-box")
        if inspection is None:
            tree.clear()
            details.update(guide_markup(self.context, self.fqdn))
            status.update("")
            findings.display = box.display = False
            return
        box.display = True
        if inspection.has_private_key and inspection.source == "paste":
            self.wipe_key()
        first_leaf = tree.show_chains(inspection.certificates)
        count = len(inspection.certificates)
        lines = [
            f"{count} certificate{'s' if count != 1 else ''} read from "
            f"{escape(inspection.source)}, checked as {CertificateUse(self.context).label}"
        ]
        if inspection.has_private_key and inspection.source == "paste":
            lines.append(f"[$text-error bold]✗[/] {escape(KEY_WIPED)}")
        if inspection.verdict:
            lines.append(inspection.verdict)
        status.update("\n".join(lines))
        findings.display = True
        findings.show(inspection.findings)
        if inspection.certificates:
            node = first_leaf or tree.root.children[0]
            self.show_details(node.data)
            # Lines are laid out on the next refresh; move the cursor to the leaf then.
            self.call_after_refresh(tree.move_cursor, node)
        else:
            details.update("No certificate in the input.")

    def wipe_key(self) -> None:
        """Empty the text area and its undo history; the findings still say what was there."""
        self.key_wiped = True
        self.query_one(TextArea).load_text("")
        self.notify(KEY_WIPED, title="Private key wiped", severity="error", timeout=10)

    def show_details(self, certificate: CertificateInfo | None) -> None:
        if certificate is None:
            return
        self.query_one("#inspector-details", Static).update(details_markup(certificate))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[CertificateInfo]) -> None:
        self.show_details(event.node.data)

    # -- actions ----------------------------------------------------------------------

    def action_clear(self) -> None:
        self.key_wiped = False
        self.query_one(TextArea).load_text("")
        self.show(None)
        self.query_one(TextArea).focus()

    def action_next_context(self) -> None:
        """Judge the same certificates for another destination (proxy, client, ...)."""
        self.context = CONTEXTS[(CONTEXTS.index(self.context) + 1) % len(CONTEXTS)]
        self.notify(f"Checking as {CertificateUse(self.context).label}.")
        text = self.query_one(TextArea).text
        if text.strip():
            self.examine(text)
        elif self.inspection is None:
            self.query_one("#inspector-details", Static).update(
                guide_markup(self.context, self.fqdn)
            )

    def action_back(self) -> None:
        self.app.pop_screen()
