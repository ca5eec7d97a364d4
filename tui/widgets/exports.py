"""The Redis Enterprise renderings of a state in two tabs, rladmin and REST, each copyable.

Reusable (the Review step shows it for the pending state of one database): the texts
come from `state.enterprise`; nothing is written from here. The REST tab shows each
certificate as a one-line label so the requests stay readable; the copy is always the
full, runnable text. When the widget is tall enough for both texts to be read without a
tab switch (`STACK_HEIGHT` rows), it shows them one above the other instead of in tabs.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static, TabbedContent, TabPane, TextArea

from state.enterprise.rest import render_curl, rest_export
from state.enterprise.rladmin import render_rladmin
from state.errors import WizardError
from state.model import State

TABS = {"export-rladmin": "rladmin", "export-rest": "REST"}

STACK_HEIGHT = 36
"""From this height each text gets about half of it, 17 rows or more: room for the rladmin
commands of a database with their comments, and for a REST request body, without tabs."""


@dataclass(frozen=True, slots=True)
class Rendering:
    """What a tab shows and what its copy puts on the clipboard."""

    shown: str
    copied: str


def renderings(
    state: State | None, database: str | None, problem: str = ""
) -> dict[str, Rendering]:
    """The rladmin and REST texts for `database` (every database when None) of `state`."""
    if state is None:
        message = f"# nothing to render: {problem or 'the change cannot be built'}\n"
        return {tab: Rendering(message, "") for tab in TABS}
    try:
        rladmin = render_rladmin(state, database)
        export = rest_export(state, database)
    except WizardError as error:
        message = f"# nothing to render: {error}\n"
        return {tab: Rendering(message, "") for tab in TABS}
    title = f"database {database}" if database else f"cluster {state.cluster.name}"
    return {
        "export-rladmin": Rendering(rladmin, rladmin),
        "export-rest": Rendering(
            render_curl(export, title=title, shorten=True), render_curl(export, title=title)
        ),
    }


class ExportTabs(Vertical):
    """rladmin | REST tabs over one state; `show` redraws them for a new (pending) state."""

    DEFAULT_CSS = """
    ExportTabs {
        height: 1fr;
        min-height: 8;
    }
    ExportTabs TabbedContent {
        height: 1fr;
    }
    ExportTabs TabPane {
        padding: 0;
    }
    ExportTabs Tab {
        color: $text-muted;  /* the inactive tab: Textual's half-transparent text is 4.3:1 */
    }
    ExportTabs TextArea, ExportTabs TextArea:focus {
        height: 1fr;
        border: none;
        padding: 0 1;
    }
    ExportTabs .export-title {
        height: 1;
        text-style: bold;
        padding: 0 1;
    }
    ExportTabs .export-hint {
        height: 1;
        color: $text-muted;
        padding: 0 1;
    }
    """

    BINDINGS = [Binding("y", "copy_export", "Copy")]

    stacked: reactive[bool] = reactive(False, recompose=True)
    """Both texts one above the other (a tall widget) instead of in tabs."""

    def __init__(
        self,
        state: State | None,
        database: str | None = None,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.database = database
        self.texts = renderings(state, database)

    def compose(self) -> ComposeResult:
        if self.stacked:
            for tab_id, label in TABS.items():
                yield Static(label, classes="export-title")
                yield self._text(tab_id)
            hint = "y copies the focused text in full (certificates are shortened on screen only)"
        else:
            with TabbedContent(id="export-tabs"):
                for tab_id, label in TABS.items():
                    with TabPane(label, id=tab_id):
                        yield self._text(tab_id)
            hint = "y copies the tab's full text (certificates are shortened on screen only)"
        yield Static(hint, classes="export-hint")

    def _text(self, tab_id: str) -> TextArea:
        return TextArea(
            self.texts[tab_id].shown,
            id=f"{tab_id}-text",
            read_only=True,
            soft_wrap=False,
            show_line_numbers=False,
        )

    def on_resize(self, event: events.Resize) -> None:
        self.stacked = event.size.height >= STACK_HEIGHT

    def show(self, state: State | None, database: str | None = None, problem: str = "") -> None:
        """Render again, for a new state (or None with the reason it cannot be built)."""
        self.database = database if database is not None else self.database
        self.texts = renderings(state, self.database, problem)
        # query, not query_one: while a resize recomposes, the texts are briefly absent
        # (compose then draws them from self.texts).
        for tab_id in TABS:
            for text in self.query(f"#{tab_id}-text").results(TextArea):
                text.load_text(self.texts[tab_id].shown)

    @property
    def active_tab(self) -> str:
        """The tab shown, or when stacked the text that has the focus (rladmin if neither)."""
        if not self.stacked:
            return self.query_one(TabbedContent).active or "export-rladmin"
        focused = self.app.focused
        if focused is not None and focused.id == "export-rest-text":
            return "export-rest"
        return "export-rladmin"

    def select(self, tab: str) -> None:
        """Show `tab` ("export-rladmin" or "export-rest") and put the focus in its text.

        The focus moves too because TabbedContent shows the pane that holds the focus.
        """
        if not self.stacked:
            self.query_one(TabbedContent).active = tab
        self.query_one(f"#{tab}-text", TextArea).focus()

    def action_copy_export(self) -> None:
        """Copy the active tab's full text (OSC 52, so it works over SSH)."""
        tab = self.active_tab
        text = self.texts[tab].copied
        if not text:
            self.app.notify("Nothing to copy: the change cannot be rendered.", severity="warning")
            return
        self.app.copy_to_clipboard(text)
        lines = text.count("\n")
        self.app.notify(f"Copied the {TABS[tab]} rendering ({lines} lines).", title="Copied")
