"""The cluster at a glance, under the header: minimum TLS, certificate expiry, participants,
version and FQDN (the cluster's name is in the header).

Each fact is kept whole: the facts are packed into as many rows as the width needs, most
telling first, so at 80 columns the minimum TLS version and the certificates' days left
are on the first row instead of cut off at its end.
"""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from state.certificates import describe_pem
from state.model import State

from ..text import escape
from .days import days_left_markup

GAP = "   "


def cluster_facts(state: State, *, certificates: bool = True) -> list[Content]:
    """The facts, one `Content` each; `certificates` adds the proxy's and syncer's days left
    (the Cluster screen shows those on its cards instead)."""
    cluster = state.cluster
    weak = cluster.min_data_tls_version in ("1", "1.1")
    version = escape(cluster.min_data_tls_version)
    facts = [
        f"[$text-warning]minimum TLS {version} (below 1.2)[/]"
        if weak
        else f"[dim]minimum[/] TLS {version}"
    ]
    if certificates:
        for role in ("proxy", "syncer"):
            ref = cluster.certificate(role)
            pem = state.certificates.get(ref.certificate) if ref else None
            facts.append(f"[dim]{role}[/] {days_left_markup(describe_pem(pem) if pem else None)}")
        count = len(state.participants)
        facts.append(f"{count} [dim]participant{'s' if count != 1 else ''}[/]")
    facts.append(f"[dim]version[/] {escape(cluster.version) if cluster.version else 'not known'}")
    facts.append(f"[dim]FQDN[/] {escape(cluster.fqdn)}")
    return [Content.from_markup(fact) for fact in facts]


def pack(facts: list[Content], width: int) -> list[Content]:
    """Rows of at most `width` cells, each fact whole (a fact wider than a row gets its own)."""
    rows: list[list[Content]] = [[]]
    used = 0
    for fact in facts:
        needed = fact.cell_length + (len(GAP) if rows[-1] else 0)
        if rows[-1] and used + needed > width:
            rows.append([])
            used, needed = 0, fact.cell_length
        rows[-1].append(fact)
        used += needed
    return [Content(GAP).join(row) for row in rows]


class ClusterFacts(Widget):
    """The facts as packed rows; `show(state)` redraws them."""

    DEFAULT_CSS = """
    ClusterFacts {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    """

    def __init__(self, state: State, *, certificates: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.certificates = certificates
        self.facts = cluster_facts(state, certificates=certificates)

    def show(self, state: State) -> None:
        self.facts = cluster_facts(state, certificates=self.certificates)
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(pack(self.facts, width))

    def render(self) -> Content:
        return Content("\n").join(pack(self.facts, self.content_size.width))
