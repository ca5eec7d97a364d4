"""Findings as text: one line each, the severity first, coloured from the theme.

Used by the home screen, the wizard's certificate cards and review, and the paste
dialog, so a finding reads the same wherever it shows up.
"""

from __future__ import annotations

from collections.abc import Iterable

from state.findings import Finding, sort_findings

from ..text import escape
from .hanging import HangingStatic

SEVERITY_MARK = {"error": "✗ error", "warning": "! warning", "info": "i info"}
SEVERITY_STYLE = {"error": "$text-error", "warning": "$text-warning", "info": "$text-primary"}


def finding_markup(finding: Finding, *, show_where: bool = True) -> str:
    """One finding as Content markup: severity, message, code, and where when asked."""
    style = SEVERITY_STYLE[finding.severity]
    where = f"[dim]{escape(finding.where)}:[/] " if show_where and finding.where else ""
    return (
        f"[{style} bold]{SEVERITY_MARK[finding.severity]}[/] {where}"
        f"{escape(finding.message)} [dim]\\[{escape(finding.code)}][/]"
    )


def findings_markup(
    findings: Iterable[Finding], *, empty: str = "No findings.", show_where: bool = True
) -> str:
    ordered = sort_findings(list(findings))
    if not ordered:
        return f"[$text-success]✓[/] {escape(empty)}"
    return "\n".join(finding_markup(f, show_where=show_where) for f in ordered)


def count_label(findings: Iterable[Finding]) -> tuple[str, str]:
    """'OK', 'n warnings' or 'n errors' and the style to show it in (the status column)."""
    found = list(findings)
    errors = sum(1 for f in found if f.severity == "error")
    warnings = sum(1 for f in found if f.severity == "warning")
    if errors:
        return f"{errors} error{'s' if errors != 1 else ''}", "error"
    if warnings:
        return f"{warnings} warning{'s' if warnings != 1 else ''}", "warning"
    return "OK", "success"


class FindingsView(HangingStatic):
    """A block of findings, wrapped lines under the message; `show` redraws it."""

    DEFAULT_CSS = """
    FindingsView {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(
        self, findings: Iterable[Finding] = (), *, empty: str = "No findings.", **kwargs
    ) -> None:
        self.empty = empty
        super().__init__(findings_markup(findings, empty=empty), **kwargs)

    def show(self, findings: Iterable[Finding], *, show_where: bool = True) -> None:
        self.update(findings_markup(findings, empty=self.empty, show_where=show_where))
