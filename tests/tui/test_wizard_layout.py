"""The wizard's steps at the sizes the README promises: the mode picker's cursor and
offers, the Names table's Accepted column, the step ticks, the footer's keys and Update."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, RadioButton, TextArea
from textual.widgets._footer import FooterKey
from tui_helpers import paste, settle

from tui.app import WizardApp
from tui.screens.new_database import NewDatabaseScreen
from tui.screens.wizard import TlsWizardScreen
from tui.screens.wizard.names import NAMES_COLUMNS, column_widths
from tui.screens.wizard.steps import Step
from tui.widgets.mode_picker import ModePicker
from tui.widgets.step_indicator import StepIndicator

pytestmark = pytest.mark.anyio
SMALL, LARGE = (80, 24), (120, 40)


async def open_wizard(pilot, name: str) -> TlsWizardScreen:
    await pilot.press("/", *name, "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TlsWizardScreen)
    return screen


async def test_the_mode_cursor_starts_on_the_saved_mode(app: WizardApp) -> None:
    """inventory is saved with CRDB only: Enter on the Mode step keeps it (the cursor sits
    on the pressed button, not on the first one)."""
    async with app.run_test(size=SMALL) as pilot:
        wizard = await open_wizard(pilot, "inventory")
        assert wizard.form.mode == "crdb"
        await pilot.press("ctrl+n")
        await settle(pilot)
        picker = wizard.query_one(ModePicker)
        assert app.focused is picker
        await pilot.press("enter")
        await settle(pilot)
        assert wizard.form.mode == "crdb"
        assert picker.query_one("#mode-crdb", RadioButton).display
        await pilot.press("up", "enter")
        await settle(pilot)
        assert wizard.form.mode == "replica-of"


async def test_crdb_only_is_not_offered_on_a_standard_database(app: WizardApp) -> None:
    async with app.run_test(size=SMALL) as pilot:
        wizard = await open_wizard(pilot, "orders")
        await pilot.press("ctrl+n")
        await settle(pilot)
        crdb = wizard.query_one("#mode-crdb", RadioButton)
        assert not crdb.display and crdb.disabled
        # Down from the last offered mode wraps to the first: CRDB is never reached.
        await pilot.press("down", "down", "down", "enter")
        await settle(pilot)
        assert wizard.form.mode in ("all", "replica-of")
        shown = str(wizard.query_one("#mode-explain").render())
        assert "Require TLS" not in shown, "the labels are listed once, on the buttons"


async def test_new_database_offers_crdb_only_for_active_active(app: WizardApp) -> None:
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NewDatabaseScreen)
        crdb = screen.query_one("#mode-crdb", RadioButton)
        assert not crdb.display
        screen.query_one("#type-active-active", RadioButton).value = True
        await settle(pilot)
        assert crdb.display and not crdb.disabled


def test_the_accepted_column_keeps_its_room_whatever_the_names() -> None:
    long_names = ", ".join(f"service-{i}.a-very-long-subdomain.example.com" for i in range(8))
    rows = [("sha", "CN=" + "x" * 90, long_names, "yes: app1.example.com is authorized")]
    for available in (40, 60, 78, 118):
        widths = column_widths(available, rows)
        assert sum(widths) + 2 * len(NAMES_COLUMNS) <= max(available, 3 * 8 + 6)
        assert widths[2] >= min(len(rows[0][3]), available // 2 - 3)
    short = [("sha", "CN=a", "a.example.com", "yes")]
    assert column_widths(118, short) == (len("Certificate"), len("a.example.com"), len("Accepted"))


def long_named_certificate() -> str:
    """A self-signed client certificate with long SAN DNS names, as PEM."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "a-long-client-name.example.com")])
    sans = [x509.DNSName(f"client-{i}.a-rather-long-department-name.example.com") for i in range(6)]
    now = datetime.datetime(2026, 11, 28, tzinfo=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_long_names_never_push_the_accepted_column_off(
    app: WizardApp, size: tuple[int, int]
) -> None:
    async with app.run_test(size=size) as pilot:
        wizard = await open_wizard(pilot, "cache")
        await pilot.press("space", "ctrl+n", "ctrl+n", "a")
        await paste(pilot, long_named_certificate())
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        table = wizard.query_one("#names-table", DataTable)
        widths = [column.get_render_width(table) for column in table.columns.values()]
        assert sum(widths) <= table.scrollable_content_region.width, widths
        assert widths[2] >= len("Accepted") + 2
        names = str(table.get_row_at(0)[1])
        assert names.endswith("client-5.a-rather-long-department-name.example.com")
        assert table.rows[next(iter(table.rows))].height > 1, "long names wrap, not cut"


async def test_visited_steps_keep_their_tick_when_going_back(app: WizardApp) -> None:
    async with app.run_test(size=SMALL) as pilot:
        wizard = await open_wizard(pilot, "orders")
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n", "ctrl+b", "ctrl+b", "ctrl+b")
        await settle(pilot)
        indicator = wizard.query_one(StepIndicator)
        markup = indicator.render_markup()
        for step in (Step.MODE, Step.CERTIFICATES, Step.NAMES):
            assert f"✓[/] {step + 1} {step.label}" in markup
        assert f"✓[/] {Step.REVIEW + 1}" not in markup, "Review was never reached"


async def test_update_is_disabled_in_the_footer_as_on_the_button(app: WizardApp) -> None:
    async with app.run_test(size=SMALL) as pilot:
        wizard = await open_wizard(pilot, "cache")
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert wizard.step is Step.REVIEW
        assert str(wizard.query_one("#update").label) == "Fix errors first"
        assert wizard.active_bindings["ctrl+s"].enabled is False
        # Fixed (client authentication off): the key and the button are live again.
        await pilot.press("ctrl+b", "ctrl+b", "ctrl+b", "ctrl+b")
        wizard.query_one("#client-auth").focus()
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert not wizard.query_one("#update").disabled
        assert wizard.active_bindings["ctrl+s"].enabled is True


@pytest.mark.parametrize("database", ["orders", "inventory", "sessions"])
async def test_every_key_of_each_step_is_in_the_footer_at_80x24(
    app: WizardApp, database: str
) -> None:
    async with app.run_test(size=SMALL) as pilot:
        wizard = await open_wizard(pilot, database)
        for step in Step:
            await settle(pilot)
            shown = {
                binding.action
                for _node, binding, _enabled, _tip in wizard.active_bindings.values()
                if binding.show
            }
            keys = [key for key in wizard.query(FooterKey) if key.action in shown]
            assert {key.action for key in keys} == shown, step
            for key in keys:
                assert key.region.right <= SMALL[0] - len("^p palette"), (step, key.key)
            if not step.is_last:
                await pilot.press("ctrl+n")


async def test_the_review_rladmin_box_shows_commands_at_80x24(app: WizardApp) -> None:
    async with app.run_test(size=SMALL) as pilot:
        wizard = await open_wizard(pilot, "orders")
        wizard.query_one("#client-auth").focus()
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        text = wizard.query_one("#export-rladmin-text", TextArea)
        top = int(text.scroll_offset.y)
        shown = text.text.splitlines()[top : top + text.scrollable_content_region.height]
        commands = [line for line in shown if line.startswith("rladmin ")]
        assert len(commands) >= 2, shown
