"""The cluster at a glance: name, FQDN, minimum TLS version, proxy and syncer expiry."""

from __future__ import annotations

from textual.widgets import Static

from state.certificates import describe_pem
from state.model import State

from ..text import escape
from .days import days_left_markup


def cluster_markup(state: State) -> str:
    cluster = state.cluster
    parts = []
    for role in ("proxy", "syncer"):
        ref = cluster.certificate(role)
        pem = state.certificates.get(ref.certificate) if ref else None
        info = describe_pem(pem) if pem else None
        parts.append(f"{role} {days_left_markup(info)}")
    weak = cluster.min_data_tls_version in ("1", "1.1")
    version = (
        f"[$text-warning]TLS {cluster.min_data_tls_version}+ (below 1.2)[/]"
        if weak
        else f"TLS {cluster.min_data_tls_version}+"
    )
    return (
        f"[b]{escape(cluster.name)}[/]  [dim]FQDN[/] {escape(cluster.fqdn)}  "
        f"[dim]min[/] {version}\n"
        f"[dim]certificates:[/] {'   '.join(parts)}   "
        f"[dim]participants:[/] {len(state.participants)}"
    )


class ClusterHeader(Static):
    """Two lines at the top of the home screen; `show(state)` redraws it."""

    DEFAULT_CSS = """
    ClusterHeader {
        height: auto;
        padding: 0 1;
        background: $boost;
        border-bottom: solid $primary-muted;
    }
    """

    def __init__(self, state: State, **kwargs) -> None:
        super().__init__(cluster_markup(state), **kwargs)

    def show(self, state: State) -> None:
        self.update(cluster_markup(state))
