"""Putting certificates in chain order, leaf -> root, by their names."""

from __future__ import annotations

from collections.abc import Sequence

from .info import CertificateInfo


def chain_order(certs: Sequence[CertificateInfo]) -> list[int] | None:
    """Indexes of ``certs`` as one chain leaf -> root, or None if they are not one chain."""
    if not certs:
        return None
    issued_others = {
        j
        for j, issuer in enumerate(certs)
        for i, cert in enumerate(certs)
        if i != j and cert.issuer == issuer.subject and not cert.self_signed
    }
    leaves = [i for i in range(len(certs)) if i not in issued_others]
    if len(leaves) != 1:
        return None
    order = [leaves[0]]
    while len(order) < len(certs):
        current = certs[order[-1]]
        if current.self_signed:
            return None
        following = [
            j for j, c in enumerate(certs) if j not in order and c.subject == current.issuer
        ]
        if len(following) != 1:
            return None
        order.append(following[0])
    return order
