"""The frame every screen shares: one header row and one footer row.

`AppHeader` says where you are: the app, the cluster, the screen (its `title`) and the
state file the screen works on, or that it is the demo and where the demo lives. When the
row is short it gives up the app's name first, then shortens the path from the left.

`AppFooter` is Textual's compact footer in a stable order: the screen's own keys first, in
the order the screen declares them, then those of the widgets around the focus, outermost
first, so moving the focus never moves a key the user has already found. The palette hint
stays at the right, in dialogs too (its key works there: Textual binds it with priority).
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.dom import DOMNode
from textual.events import Mount
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from state.text import visible

SEPARATOR = " \u203a "
"""Between the breadcrumbs: a single right-pointing angle quote, as posting and harlequin use."""
GAP = 3
"""Cells at least between the breadcrumb and the state file."""


def short_path(path: Path, width: int) -> str:
    """`path` as the user would type it (relative to the working folder or ~), cut from the
    left with an ellipsis to at most `width` cells; empty when not even its name fits."""
    absolute = path.absolute()
    text = str(absolute)
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            text = prefix + str(absolute.relative_to(base))
            break
        except ValueError:
            continue
    text = visible(text)
    if len(text) <= width:
        return text
    if width < len(visible(path.name)) + 1:
        return ""
    return "…" + text[len(text) - width + 1 :]


def header_text(crumbs: list[str], location: str, label: str, width: int) -> Text:
    """One row of `width` cells: the breadcrumb at the left, `label` + `location` at the right.

    Short of room, the first crumb (the app's name) goes, then the location is shortened
    from the left and finally left out; the breadcrumb is cut last, with an ellipsis."""
    for shown in (crumbs, crumbs[1:]):
        left = SEPARATOR.join(shown)
        room = width - len(left) - GAP - len(label)
        where = short_path(Path(location), room) if location else ""
        if where or not location:
            break
    row = Text()
    for index, crumb in enumerate(shown):
        if index:
            row.append(SEPARATOR, style="dim")
        row.append(crumb, style="bold" if index == len(shown) - 1 else "")
    if where:
        row.append(" " * (width - row.cell_len - len(label) - len(where)))
        row.append(label, style="italic")
        row.append(where)
    row.truncate(width, overflow="ellipsis")
    return row


class AppHeader(Widget):
    """One row: app, cluster and screen, and at the right the state file (or the demo's).

    The screen's `title` names the screen; the header redraws when it changes, and when
    the app says the state or the demo changed (`refresh_frames`)."""

    DEFAULT_CSS = """
    AppHeader {
        dock: top;
        height: 1;
        width: 100%;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    """

    def _on_mount(self, _: Mount) -> None:
        self.watch(self.screen, "title", self._redraw, init=False)

    def _redraw(self) -> None:
        self.refresh()

    def render(self) -> Text:
        app = self.app
        crumbs = [visible(str(app.title))]
        workspace = getattr(app, "workspace", None)
        if workspace is not None:
            crumbs.append(visible(workspace.state.cluster.name))
        if self.screen.title:
            crumbs.append(visible(str(self.screen.title)))
        path = getattr(app, "state_path", None)
        demo = bool(getattr(app, "demo", False))
        location = str(path.parent if demo else path) if path is not None else ""
        return header_text(crumbs, location, "demo in " if demo else "", self.content_size.width)


class AppFooter(Footer):
    """The compact footer, the screen's keys first in their declared order.

    A key that does not fit whole is left out rather than cut ("⏎ Inspec"): the keys
    before it keep their place, and every key stays in the palette and the `?` panel.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(compact=True, **kwargs)

    def on_resize(self) -> None:
        self.refresh(recompose=True)

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self.leave_out_cut_keys)

    def leave_out_cut_keys(self) -> None:
        """Hide the keys, from the first that would be cut, that end past the palette hint."""
        keys = [key for key in self.query(FooterKey) if not key.has_class("-command-palette")]
        palette = [key for key in self.query(FooterKey) if key.has_class("-command-palette")]
        room = palette[0].virtual_region.x if palette else self.content_size.width
        cut = False
        for key in keys:
            cut = cut or key.virtual_region.right > room
            key.display = not cut

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        screen = self.screen
        active = screen.active_bindings
        depth = {node: rank for rank, node in enumerate(_outermost_first(screen))}
        ordered = sorted(
            enumerate(active.values()),
            key=lambda item: (depth.get(item[1].node, len(depth)), item[0]),
        )
        seen: set[str] = set()
        for _, (_, binding, enabled, tooltip) in ordered:
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        palette = _palette_binding(self)
        if palette is not None and self.show_command_palette:
            yield FooterKey(
                palette.key,
                self.app.get_key_display(palette),
                palette.description,
                palette.action,
                classes="-command-palette",
                tooltip=palette.tooltip or palette.description,
            )


def _outermost_first(screen: Screen) -> list[DOMNode]:
    """The screen, then the widgets from the screen down to the focused one, then the app."""
    focused = screen.focused
    inner: list[DOMNode] = list(reversed(focused.ancestors_with_self)) if focused else []
    return [screen, *(node for node in inner if node is not screen and node is not screen.app)]


def _palette_binding(footer: Footer) -> Binding | None:
    """The app's palette key, also under a dialog (whose bindings hide the app's)."""
    app = footer.app
    if not app.ENABLE_COMMAND_PALETTE:
        return None
    for binding in app._bindings.key_to_bindings.get(app.COMMAND_PALETTE_BINDING, ()):
        if binding.action in {"command_palette", "app.command_palette"}:
            return binding
    return None


def refresh_frames(screens: list[Screen]) -> None:
    """Redraw the headers of `screens` (the cluster's name or the demo's place changed)."""
    for screen in screens:
        for header in screen.query(AppHeader):
            header.refresh()


__all__ = ["AppFooter", "AppHeader", "refresh_frames", "short_path"]
