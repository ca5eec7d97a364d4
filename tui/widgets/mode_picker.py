"""The documented TLS modes as one radio set, shared by the wizard's Mode step and the New
database form, so both offer the same choices the same way.

"Require TLS for CRDB communication only" is an Active-Active setting: the enable-tls page
offers it only in its Active-Active section (content/operate/rs/7.4/security/encryption/
tls/enable-tls.md, "Configure TLS certificates for Active-Active"), and the rules refuse it
on any other database (`crdb-needs-active-active`). So it is shown only for an
Active-Active database, or where it is already the chosen mode (then disabled, so a
standard database saved with it still shows what is saved and can move away from it).
"""

from __future__ import annotations

from textual.widgets import RadioButton, RadioSet

from state.vocabulary import TlsMode

ACTIVE_ACTIVE_ONLY = TlsMode.CRDB


class ModePicker(RadioSet):
    """One button per documented mode; `mode` is the pressed one, highlighted on mount."""

    def __init__(
        self,
        mode: TlsMode = TlsMode.ALL,
        *,
        active_active: bool = False,
        id: str | None = None,
        disabled: bool = False,
    ) -> None:
        buttons = [
            RadioButton(choice.label, value=choice == mode, id=f"mode-{choice}")
            for choice in TlsMode
        ]
        super().__init__(*buttons, id=id, disabled=disabled)
        self.active_active = active_active

    def on_mount(self) -> None:
        self.offer_crdb(self.active_active)
        # RadioSet highlights its first button on mount (after this handler): the cursor
        # belongs on the pressed one, so it is moved once that has run.
        self.call_later(self.highlight_pressed)

    @property
    def mode(self) -> TlsMode:
        pressed = self.pressed_button
        return TlsMode((pressed.id or "mode-all").removeprefix("mode-")) if pressed else TlsMode.ALL

    def highlight_pressed(self) -> None:
        index = self.pressed_index
        if index >= 0:
            self._selected = index

    def choose(self, mode: TlsMode) -> None:
        """Press `mode`'s button (a reload changed it); RadioSet then posts `Changed`."""
        if mode != self.mode:
            self.query_one(f"#mode-{mode}", RadioButton).value = True

    def offer_crdb(self, active_active: bool) -> None:
        """Show CRDB only for an Active-Active database, or while it is the pressed mode."""
        self.active_active = active_active
        button = self.query_one(f"#mode-{ACTIVE_ACTIVE_ONLY}", RadioButton)
        button.disabled = not active_active
        button.display = active_active or button.value
