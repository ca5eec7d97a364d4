"""What a database's TLS settings do, in words: one source for `db show`, the rules'
notes and the screens, so none of them says "traffic is encrypted" of a mode whose client
traffic is plain text.

In "Replica Of only" and "CRDB only" modes clients connect in plain text; TLS, and with it
client authentication, applies to the replication link (the replicas' or the
participating clusters' syncer certificates).
"""

from __future__ import annotations

from .model import TlsSettings

_MODE = {
    "all": "clients and replication connect with TLS only; plain-text connections are refused",
    "replica-of": "clients connect in plain text (not encrypted); only the Replica Of "
    "replication link uses TLS",
    "crdb": "clients connect in plain text (not encrypted); only the synchronization between "
    "the participating clusters uses TLS",
}
_WHO = {"all": "clients", "replica-of": "replicas", "crdb": "participating clusters"}
_LINK = {
    "all": "traffic is encrypted",
    "replica-of": "the replication link is encrypted",
    "crdb": "the synchronization between clusters is encrypted",
}


def mode_effect(tls: TlsSettings) -> str:
    """What the mode means for the traffic."""
    if not tls.enabled:
        return "TLS is off: clients and replication connect in plain text"
    return _MODE[tls.mode]


def client_auth_effect(tls: TlsSettings) -> str:
    """What "Enforce client authentication" means in this mode."""
    who = _WHO.get(tls.mode, "clients")
    if tls.enforce_client_auth:
        return (
            f"{who} must present a certificate signed by, or equal to, one of the "
            "database's certificates"
        )
    link = _LINK.get(tls.mode, _LINK["all"])
    text = f"client authentication is off: {link} but {who} are not authenticated"
    if tls.mode != "all":
        text += "; clients connect in plain text in this mode"
    return text
