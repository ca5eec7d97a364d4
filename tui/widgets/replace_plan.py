"""What replacing the proxy or syncer certificate will do, beside the Replace form.

Every line comes from the state and its rules: the certificate being replaced (as the
cluster card shows it), the request the form would write, the checks the install makes
(state/cluster_replace.py), what the cluster then gets (the rladmin command and the REST
request the exports render, state/enterprise) and what replacing it also needs
(state/rotation.py).
"""

from __future__ import annotations

from state.certificates import describe_pem
from state.certificates.issue import SubjectFields, cluster_sans
from state.enterprise.rest import CERTIFICATES_PATH, UPDATE_CERT_PATH
from state.model import State
from state.versions import certificates_endpoint_by_default

from ..text import escape
from .cluster_card import card_details, replacing_markup
from .inspector_details import details_markup

INSTALL_CHECKS = (
    "the key matches the certificate",
    "serverAuth and clientAuth in its extended key usage",
    "its SANs cover the cluster's FQDN",
    "the chain in order, leaf first, each signed by the next",
    "valid now, and for how long",
)
"""What `check_import` judges before Install may save (state/cluster_replace.py)."""

SUBJECT_ORDER = (("C", "country"), ("ST", "state"), ("L", "locality"), ("O", "org"))


def replace_plan_markup(
    state: State,
    role: str,
    subject: SubjectFields | None,
    *,
    full: bool = False,
    csr_pem: str = "",
) -> str:
    """The panel's text; `subject` is the CSR form's (None on the install step); `full`
    gives the replaced certificate's every detail (its serial and fingerprint too) and the
    CSR written for the CA (`csr_pem`), to select where the clipboard does not reach."""
    lines = [f"[b]Replacing[/] the {role} certificate now in the state file"]
    ref = state.cluster.certificate(role)
    if ref is not None and ref.certificate in state.certificates:
        current = describe_pem(state.certificates[ref.certificate])
        lines.append(details_markup(current) if full else card_details(current, full=True))
    else:
        lines.append(f"[dim]none yet: this installs the first {role} certificate[/]")
    if subject is not None:
        lines += request_lines(state, role, subject)
    lines.append("[b]Install checks[/] [dim](nothing is saved until all pass)[/]")
    lines += [f"[dim]·[/] {check}" for check in INSTALL_CHECKS]
    lines += cluster_lines(state, role)
    lines += replacing_markup(state, role)
    if full and csr_pem:
        lines.append("[b]The CSR for your CA[/] [dim](ctrl+o copies it)[/]")
        lines += [escape(line) for line in csr_pem.strip().splitlines()]
    return "\n".join(lines)


def request_lines(state: State, role: str, subject: SubjectFields) -> list[str]:
    """The CSR as the form stands, and where it is written."""
    parts = [f"CN={subject.cn}"] if subject.cn else ["[$text-error]CN missing[/]"]
    parts += [
        f"{short}={getattr(subject, attr)}"
        for short, attr in SUBJECT_ORDER
        if getattr(subject, attr)
    ]
    if subject.org_unit:
        parts.append(f"OU={subject.org_unit}")
    return [
        "[b]The request[/]",
        f"[dim]subject[/]  {escape(', '.join(parts))}",
        f"[dim]SANs[/]     {escape(', '.join(cluster_sans(state.cluster.fqdn)))}",
        "[dim]usage[/]    serverAuth, clientAuth; a new RSA 2048 key",
        f"[dim]written[/]  requests/{role}-<UTC time>/{role}.key (0600) and {role}.csr",
    ]


def cluster_lines(state: State, role: str) -> list[str]:
    """What the cluster gets once it is installed: the exports' rladmin and REST."""
    path = (
        CERTIFICATES_PATH
        if certificates_endpoint_by_default(state.cluster.version)
        else UPDATE_CERT_PATH
    )
    return [
        "[b]Then the cluster gets[/] [dim](export rladmin, export rest)[/]",
        f"rladmin cluster certificate set {role} certificate_file {role}.pem key_file {role}.key",
        f"or REST PUT {path}",
    ]
