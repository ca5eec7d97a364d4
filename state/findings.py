"""Findings: what the rules and the inspector say about a state or a certificate."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One observation with a stable code, so scripts can match on it across releases.

    Where it points is structured: `database_name` names the database it is about (None for
    the cluster, a participant or a certificate on its own) and `path` the field inside
    it (`tls.mode`, `replica_of[0].encryption`) or, without a database, the place itself
    (`cluster.proxy.key_file`, `certificate 2`). Screens group and shorten by these parts;
    `where` is the text the CLI prints (`databases.orders.tls.mode`)."""

    severity: Severity
    code: str
    message: str
    path: str = ""
    database_name: str | None = None

    @property
    def where(self) -> str:
        if self.database_name is None:
            return self.path
        place = f"databases.{self.database_name}"
        return f"{place}.{self.path}" if self.path else place

    def within_database(self) -> Finding:
        """The same finding said inside its database (for a screen already about it)."""
        return replace(self, database_name=None)

    def as_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "where": self.where,
        }

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        return f"{self.severity}: {place}{self.message} [{self.code}]"


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def warnings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "warning"]


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.where, f.code))
