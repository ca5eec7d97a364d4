"""Certificates arranged as chains: each root at the top, what it issued beneath it.

A paste holds certificates in any order, sometimes from several chains; the tree shows
root -> intermediates -> leaf whatever the order was, and a certificate whose issuer is
not in the paste at the top with "issuer not included".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from state import clock
from state.certificates import CertificateInfo

from ..text import escape
from .days import WARN_DAYS

_VARIABLE = re.compile(r"(?<!\\)\[\$([a-z][a-z0-9-]*)")


@dataclass
class ChainNode:
    certificate: CertificateInfo
    children: list[ChainNode] = field(default_factory=list)
    issuer_missing: bool = False


def _issuer_of(
    certificate: CertificateInfo, others: list[CertificateInfo]
) -> CertificateInfo | None:
    """The certificate in `others` whose subject issued this one (names, then CA flag)."""
    if certificate.self_signed:
        return None
    candidates = [
        other
        for other in others
        if other.sha256 != certificate.sha256 and other.subject == certificate.issuer
    ]
    candidates.sort(key=lambda other: not other.is_ca)
    return candidates[0] if candidates else None


def arrange_chains(certificates: list[CertificateInfo]) -> list[ChainNode]:
    """Roots first (in input order), each with what it issued, recursively."""
    unique: list[CertificateInfo] = []
    for certificate in certificates:
        if all(certificate.sha256 != seen.sha256 for seen in unique):
            unique.append(certificate)
    nodes = {c.sha256: ChainNode(c) for c in unique}
    roots: list[ChainNode] = []
    for certificate in unique:
        issuer = _issuer_of(certificate, unique)
        node = nodes[certificate.sha256]
        if issuer is None or _would_loop(certificate, issuer, unique):
            node.issuer_missing = not certificate.self_signed
            roots.append(node)
        else:
            nodes[issuer.sha256].children.append(node)
    return roots


def _would_loop(
    certificate: CertificateInfo, issuer: CertificateInfo, unique: list[CertificateInfo]
) -> bool:
    """Two certificates naming each other as issuer (cross-signed) must not hide both."""
    seen = {certificate.sha256}
    current: CertificateInfo | None = issuer
    while current is not None:
        if current.sha256 in seen:
            return True
        seen.add(current.sha256)
        current = _issuer_of(current, unique)
    return False


SHORT_ROLES = {"root-ca": "root", "intermediate-ca": "CA", "leaf": "leaf"}


def days_short_markup(certificate: CertificateInfo) -> str:
    """'362d' coloured like the longer form; the tree has little room."""
    days = certificate.days_left(clock.now())
    if days < 0:
        return "[$text-error bold]expired[/]"
    style = "$text-warning" if days < WARN_DAYS else "$text-success"
    return f"[{style}]{days}d[/]"


def node_label(node: ChainNode) -> str:
    certificate = node.certificate
    name = escape(certificate.label)
    missing = " [dim](issuer not here)[/]" if node.issuer_missing else ""
    role = SHORT_ROLES.get(certificate.role, certificate.role)
    return f"[b]{name}[/] [dim]{role}[/] {days_short_markup(certificate)}{missing}"


class InspectorChainTree(Tree[CertificateInfo]):
    """The chains of a paste; each node's data is its certificate."""

    DEFAULT_CSS = """
    InspectorChainTree {
        height: 1fr;
        padding: 0 1;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("Certificates", **kwargs)
        self.show_root = False
        self.guide_depth = 3

    def process_label(self, label: str | Text) -> Text:
        """Labels share the screens' markup; Tree renders Rich markup, so resolve the
        theme variables ($text-success...) to the current theme's colours first."""
        if isinstance(label, str):
            variables = self.app.theme_variables
            label = _VARIABLE.sub(lambda m: "[" + variables.get(m.group(1), "default"), label)
        return super().process_label(label)

    def show_chains(self, certificates: list[CertificateInfo]) -> TreeNode[CertificateInfo] | None:
        """Redraw; returns the node of the first leaf (what a user usually wants to see)."""
        self.clear()
        first_leaf: TreeNode[CertificateInfo] | None = None

        def add(parent: TreeNode[CertificateInfo], node: ChainNode) -> None:
            nonlocal first_leaf
            if node.children:
                branch = parent.add(node_label(node), data=node.certificate, expand=True)
                for child in node.children:
                    add(branch, child)
            else:
                branch = parent.add_leaf(node_label(node), data=node.certificate)
                if first_leaf is None and not node.certificate.is_ca:
                    first_leaf = branch

        for chain in arrange_chains(certificates):
            add(self.root, chain)
        self.root.expand()
        return first_leaf
