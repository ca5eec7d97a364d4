"""What a database's TLS settings do, in words: one source for `db show`, the rules'
notes and the screens, so none of them says "traffic is encrypted" of a mode whose client
traffic is plain text.

In "Replica Of only" and "CRDB only" modes clients connect in plain text; TLS, and with it
client authentication, applies to the replication link (the replicas' or the
participating clusters' syncer certificates).
"""

from __future__ import annotations

from .model import TlsSettings
from .vocabulary import TlsMode


def mode_effect(tls: TlsSettings) -> str:
    """What the mode means for the traffic."""
    if not tls.enabled:
        return "TLS is off: clients and replication connect in plain text"
    return tls.mode.effect


def client_auth_effect(tls: TlsSettings) -> str:
    """What "Enforce client authentication" means in this mode."""
    who = tls.mode.peers
    if tls.enforce_client_auth:
        return (
            f"{who} must present a certificate signed by, or equal to, one of the "
            "database's certificates"
        )
    text = f"client authentication is off: {tls.mode.link} but {who} are not authenticated"
    if tls.mode is not TlsMode.ALL:
        text += "; clients connect in plain text in this mode"
    return text
