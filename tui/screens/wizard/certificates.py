"""Step 3, Certificates: the client certificates and CAs the database trusts, the syncer
certificates it needs (Replica Of source, Active-Active), and each Replica Of source's
encryption and proxy certificate (the replica side).

Its keys are bound here, so they exist only on this step: `a` adds (pastes), `x` removes
and Enter inspects the focused card, `s` ticks a missing syncer certificate, `r` names the
clusters hosting a replica, `e` and `p` encrypt a source and paste its proxy certificate.
"""

from __future__ import annotations

from textual import events, getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from state.certificates import CertificateInfo
from state.errors import WizardError
from state.tls_form import SyncerRow, TlsForm

from ...app import WizardApp
from ...text import escape
from ...widgets.certificate_card import CertificateCard
from ...widgets.findings import findings_markup
from ...widgets.inspector_details import details_markup
from .steps import Step, StepView

CERTIFICATES_ABOUT = (
    "The database trusts these client certificates and CAs: with client authentication "
    "enforced, a client must present one of them or one they issued."
)


class CertificatesStep(StepView):
    """Certificate cards (details of the focused one beside them when wide) and checklists."""

    STEP = Step.CERTIFICATES
    KEYS_FOLLOW_FORM = True
    app = getters.app(WizardApp)

    BINDINGS = [
        Binding("a", "add_certificates", "Add"),
        Binding("delete,x", "remove_certificate", "Remove", key_display="x"),
        Binding("enter", "inspect", "Inspect", key_display="⏎"),
        Binding("s", "add_syncer", "Add syncer"),
        Binding("r", "replica_clusters", "Replicas"),
        Binding("e", "toggle_encryption", "Encrypt"),
        Binding("p", "source_certificate", "Source cert"),
    ]

    DEFAULT_CSS = """
    CertificatesStep #cards-row {
        layout: vertical;
        height: 1fr;
        min-height: 4;
    }
    CertificatesStep #cards {
        height: auto;
        max-height: 70%;
    }
    CertificatesStep #card-details-box {
        height: 1fr;
        padding: 0 1;
        border-top: solid $primary-muted;
    }
    CertificatesStep #syncer-checklist, CertificatesStep #source-checklist {
        height: auto;
        max-height: 6;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.drawn: tuple[object, ...] | None = None
        """What the cards were last drawn from: they are mounted again only when it changes."""

    def compose(self) -> ComposeResult:
        yield Static("Client certificates and CAs this database trusts.", classes="hint")
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

    # -- drawing ------------------------------------------------------------------------

    def show_form(self, form: TlsForm) -> None:
        drawn = (tuple(form.certificates), self.saved.revision, id(self.saved))
        if drawn != self.drawn:
            self.drawn = drawn
            self.show_cards(form)
        self.show_syncers(form)
        self.show_sources(form)
        focused = self.screen.focused
        self.show_card_details(focused if isinstance(focused, CertificateCard) else None)

    def show_cards(self, form: TlsForm) -> None:
        cards = self.query_one("#cards", VerticalScroll)
        focused = getattr(self.screen.focused, "certificate", None)
        focused_sha = focused.sha256 if isinstance(focused, CertificateInfo) else None
        cards.remove_children()
        self.show_card_details(None)
        syncer_of = {p.syncer_certificate: p.name for p in self.saved.participants}
        saved = set(self.database.tls.certificates)
        trusted = [self.certificate(sha) for sha in form.certificates]
        new_cards = []
        for sha in form.certificates:
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
            if focused_sha in form.certificates:
                self.call_after_refresh(self.focus_card, focused_sha)
        else:
            cards.mount(
                Static(
                    "No certificates yet. Press [b]a[/] to paste a client certificate or a CA.",
                    classes="hint",
                )
            )

    def focus_card(self, sha: str | None = None) -> None:
        """Focus the card of `sha`, or the first card."""
        for card in self.query(CertificateCard):
            if sha is None or card.certificate.sha256 == sha:
                card.focus()
                self.show_card_details(card)
                return

    def focus_first(self) -> None:
        if self.query(CertificateCard):
            self.focus_card()
        else:
            self.query_one("#cards", VerticalScroll).focus()

    def syncer_rows(self) -> list[SyncerRow]:
        return self.form.syncer_checklist(self.saved)

    def show_syncers(self, form: TlsForm) -> None:
        checklist = self.query_one("#syncer-checklist", OptionList)
        highlighted = checklist.highlighted
        checklist.clear_options()
        rows = form.syncer_checklist(self.saved)
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

    def show_sources(self, form: TlsForm) -> None:
        """The replica side: each source's encryption and the source cluster's proxy
        certificate it holds, with the keys that fix what is missing."""
        checklist = self.query_one("#source-checklist", OptionList)
        highlighted = checklist.highlighted
        checklist.clear_options()
        rows = form.source_checklist(self.saved)
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

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, CertificateCard):
            self.show_card_details(event.widget)

    def show_card_details(self, card: CertificateCard | None) -> None:
        """The focused card's full details and findings, then (as on every step) what the
        pending settings do; without a focused card, only the latter."""
        parts = []
        if card is not None:
            parts += [
                details_markup(card.certificate),
                findings_markup(card.findings, empty="No findings.", show_where=False),
                "",
            ]
        parts.append(self.details(self.form, CERTIFICATES_ABOUT))
        self.query_one("#card-details", Static).update("\n".join(parts))

    # -- which keys apply -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Card keys need a focused card; the Replica Of keys need something to act on."""
        if action in ("remove_certificate", "inspect"):
            return isinstance(self.screen.focused, CertificateCard) or None
        if action == "add_syncer":
            return any(row.known and not row.trusted for row in self.syncer_rows())
        if action == "replica_clusters":
            return not self.database.is_active_active
        if action in ("toggle_encryption", "source_certificate"):
            return bool(self.form.sources)
        return True

    # -- actions --------------------------------------------------------------------------

    def action_add_certificates(self) -> None:
        from ...dialogs.paste import PasteCertificatesDialog

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
            self.edited()

        self.app.push_screen(
            PasteCertificatesDialog(
                f"Add certificates to {self.wizard.database_name} (client certificate or CA)",
                alongside=[self.certificate(sha) for sha in self.form.certificates],
            ),
            added,
        )

    def action_remove_certificate(self) -> None:
        card = self.screen.focused
        if not isinstance(card, CertificateCard):
            self.notify("Select a certificate card first (Tab).", severity="warning")
            return
        self.form.remove_certificate(card.certificate.sha256)
        self.notify(f"{card.certificate.label} removed (pending until Update).")
        self.edited()
        self.call_after_refresh(self.focus_card)

    def action_inspect(self) -> None:
        card = self.screen.focused
        if isinstance(card, CertificateCard):
            self.app.action_open("inspector", card.certificate.pem)

    def action_add_syncer(self) -> None:
        checklist = self.query_one("#syncer-checklist", OptionList)
        chosen = None
        if checklist.has_focus and checklist.highlighted is not None:
            chosen = checklist.get_option_at_index(checklist.highlighted).id
        if chosen is None:
            missing = (row.cluster for row in self.syncer_rows() if row.known and not row.trusted)
            chosen = next(missing, None)
        if chosen is None:
            self.notify("Every needed syncer certificate is already trusted.")
            return
        self.add_syncer(chosen)

    @on(OptionList.OptionSelected, "#syncer-checklist")
    def checklist_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.add_syncer(event.option.id)

    def add_syncer(self, cluster: str) -> None:
        try:
            self.form.add_syncer(self.saved, cluster)
        except WizardError as error:
            self.notify(str(error), severity="error")
            return
        self.notify(f"Syncer certificate of {cluster} added (pending until Update).")
        self.edited()

    def chosen_source(self) -> str | None:
        """The highlighted source when the source checklist has the focus, else the first."""
        checklist = self.query_one("#source-checklist", OptionList)
        if checklist.has_focus and checklist.highlighted is not None:
            return checklist.get_option_at_index(checklist.highlighted).id
        return self.form.sources[0].uri if self.form.sources else None

    def action_replica_clusters(self) -> None:
        from ...dialogs.replica_clusters import ReplicaClustersDialog

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
            self.edited()

        self.app.push_screen(
            ReplicaClustersDialog(self.wizard.database_name, known, self.form.replica_clusters),
            chosen,
        )

    def action_toggle_encryption(self) -> None:
        uri = self.chosen_source()
        if uri is None:
            return
        encrypted = self.form.toggle_source_encryption(uri)
        self.notify(f"{uri}: encryption {'on' if encrypted else 'off'} (pending until Update).")
        self.edited()

    def action_source_certificate(self) -> None:
        from ...dialogs.paste import SOURCE_PROXY, PasteCertificatesDialog, one_source_certificate

        uri = self.chosen_source()
        if uri is None:
            return

        def pasted(certificates: list[CertificateInfo] | None) -> None:
            certificate = one_source_certificate(self.wizard, certificates)
            if certificate is None:
                return
            self.form.set_source_certificate(uri, certificate)
            self.notify(f"{uri}: trusts {certificate.label} (pending until Update).")
            self.edited()

        self.app.push_screen(
            PasteCertificatesDialog(
                f"The proxy certificate of the cluster hosting {uri} (its general settings)",
                expects=SOURCE_PROXY,
            ),
            pasted,
        )
