"""`tls-wizard cluster ...`: the cluster's proxy and syncer certificates, TLS version, participants.

`certificate set` and `config` take the rladmin syntax word for word, so a command from
the product's documentation works here unchanged.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..text import visible
from ..vocabulary import CertificateRole
from .common import cluster_json, print_findings, print_json, workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    cluster = subparsers.add_parser(
        "cluster", help="cluster certificates, TLS version, participants"
    )
    commands = cluster.add_subparsers(
        dest="cluster_command", metavar="CLUSTER_COMMAND", required=True
    )

    show = commands.add_parser("show", help="show the cluster")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show)

    certificate = commands.add_parser("certificate", help="the proxy and syncer certificates")
    certs = certificate.add_subparsers(dest="certificate_command", metavar="ACTION", required=True)
    cert_set = certs.add_parser(
        "set",
        help="install a certificate: set proxy|syncer certificate_file FILE key_file FILE",
    )
    cert_set.add_argument("role", choices=CertificateRole.values())
    cert_set.add_argument(
        "certificate_word", choices=("certificate_file",), metavar="certificate_file"
    )
    cert_set.add_argument("certificate_file", metavar="CERT_FILE")
    cert_set.add_argument("key_word", choices=("key_file",), metavar="key_file")
    cert_set.add_argument("key_file", metavar="KEY_FILE")
    cert_set.set_defaults(handler=run_certificate_set)

    cert_show = certs.add_parser("show", help="print the certificate's PEM")
    cert_show.add_argument("role", choices=CertificateRole.values())
    cert_show.set_defaults(handler=run_certificate_show)

    request = certs.add_parser("request", help="create a private key and a CSR to have a CA sign")
    request.add_argument("role", choices=CertificateRole.values())
    request.add_argument(
        "--out", required=True, metavar="DIR", help="folder for <role>.key and <role>.csr"
    )
    request.add_argument("--cn", help="Common Name (default: the cluster FQDN)")
    request.add_argument("--country", default="", metavar="C")
    request.add_argument("--state", dest="province", default="", metavar="ST")
    request.add_argument("--locality", default="", metavar="L")
    request.add_argument("--org", default="", metavar="O")
    request.add_argument("--org-unit", default="", metavar="OU")
    request.add_argument("--key-type", choices=("rsa", "ec"), default="rsa")
    request.add_argument(
        "--bits", type=int, default=None, help="RSA: 2048 or more; EC: 256, 384, 521"
    )
    request.set_defaults(handler=run_certificate_request)

    config = commands.add_parser(
        "config",
        help="cluster settings: min_data_TLS_version 1|1.1|1.2|1.3 (rladmin syntax), "
        "or version X.Y.Z (the cluster's Redis Enterprise version)",
    )
    config.add_argument("setting", choices=("min_data_TLS_version", "version"))
    config.add_argument("value", metavar="VALUE")
    config.set_defaults(handler=run_config)

    participant = commands.add_parser(
        "participant", help="other clusters and their syncer certificates"
    )
    parts = participant.add_subparsers(dest="participant_command", metavar="ACTION", required=True)
    add = parts.add_parser("add", help="add a participating cluster")
    add.add_argument("name")
    add.add_argument("--syncer-cert", required=True, metavar="FILE")
    add.set_defaults(handler=run_participant_add)
    listing = parts.add_parser("list", help="list the participating clusters")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_participant_list)
    remove = parts.add_parser("remove", help="remove a participating cluster")
    remove.add_argument("name")
    remove.set_defaults(handler=run_participant_remove)


def run_show(args: argparse.Namespace) -> int:
    state = workspace(args).state
    data = cluster_json(state)
    if args.json:
        print_json(data)
        return 0
    print(f"cluster {visible(data['name'])} (fqdn {visible(data['fqdn'])})")
    print(f"  Redis Enterprise version: {data['version'] or 'not known'}")
    print(f"  minimum data TLS version: {data['min_data_tls_version']}")
    for role in ("proxy", "syncer"):
        ref = data[role]
        if ref:
            print(
                f"  {role}: {ref['sha256'][:16]}  expires {ref['not_after']}  key {visible(ref['key_file'])}"
            )
        else:
            print(f"  {role}: none")
    for participant in data["participants"]:
        print(
            f"  participant {visible(participant['name'])}: syncer {participant['syncer_certificate'][:16]}"
        )
    return 0


def run_certificate_set(args: argparse.Namespace) -> int:
    from ..certificates import read_certificate_file
    from ..cluster_replace import read_key_file
    from ..rotation import follow_ups

    ws = workspace(args)
    certificates = read_certificate_file(args.certificate_file)
    key_pem = read_key_file(args.key_file)
    saved, warnings = ws.set_cluster_certificate(args.role, certificates, key_pem)
    ref = saved.cluster.certificate(args.role)
    assert ref is not None
    print(
        f"installed the {args.role} certificate {ref.certificate[:16]} (key {visible(ref.key_file)}); "
        f"revision {saved.revision}"
    )
    print_findings(warnings)
    steps = follow_ups(saved, args.role).lines()
    if steps:
        print(f"after replacing the {args.role} certificate:")
        for step in steps:
            print(f"  {visible(step)}")
    return 0


def run_certificate_show(args: argparse.Namespace) -> int:
    print(workspace(args).state.certificate_pem(args.role), end="")
    return 0


def run_certificate_request(args: argparse.Namespace) -> int:
    from ..certificates.issue import SubjectFields
    from ..workspace import write_key_and_csr

    state = workspace(args).state
    subject = SubjectFields(
        cn=args.cn or state.cluster.fqdn,
        country=args.country,
        state=args.province,
        locality=args.locality,
        org=args.org,
        org_unit=args.org_unit,
    )
    key_path, csr_path = write_key_and_csr(
        state, args.role, Path(args.out), subject, key_type=args.key_type, bits=args.bits
    )
    print(
        f"wrote {visible(key_path)} (private key, 0600) and {visible(csr_path)} "
        f"(CSR, CN={visible(subject.cn)})"
    )
    print("have your CA sign the CSR (serverAuth and clientAuth), then install it with:")
    print(
        f"  tls-wizard cluster certificate set {args.role} certificate_file <signed.pem> "
        f"key_file {visible(key_path)}"
    )
    return 0


def run_config(args: argparse.Namespace) -> int:
    from ..model import TLS_VERSIONS
    from ..rules import check_cluster
    from ..transitions import set_cluster_version, set_min_tls_version

    ws = workspace(args)
    if args.setting == "version":
        ws.update(lambda s: set_cluster_version(s, args.value), f"version {args.value}")
        shown = ws.state.cluster.version or "not known"
        print(f"Redis Enterprise version set to {shown}; revision {ws.state.revision}")
        print_findings([f for f in check_cluster(ws.state) if f.severity != "info"])
        return 0
    if args.value not in TLS_VERSIONS:
        print(
            f"tls-wizard cluster config: error: min_data_TLS_version {args.value!r} is not one "
            f"of {', '.join(TLS_VERSIONS)}",
            file=sys.stderr,
        )
        return 2
    ws.update(lambda s: set_min_tls_version(s, args.value), f"min_data_TLS_version {args.value}")
    print(f"minimum data TLS version set to {args.value}; revision {ws.state.revision}")
    print_findings([f for f in check_cluster(ws.state) if f.code.startswith(("weak-", "min-tls"))])
    print(
        "the discovery service picks it up after, on every node of the cluster: "
        "supervisorctl restart sentinel_service"
    )
    return 0


def run_participant_add(args: argparse.Namespace) -> int:
    from ..certificates import read_certificate_file
    from ..transitions import add_participant

    ws = workspace(args)
    certificates = read_certificate_file(args.syncer_cert)
    ws.update(lambda s: add_participant(s, args.name, certificates), f"participant add {args.name}")
    print(f"added participating cluster {visible(args.name)}; revision {ws.state.revision}")
    return 0


def run_participant_list(args: argparse.Namespace) -> int:
    state = workspace(args).state
    rows = [
        {"name": p.name, "syncer_certificate": p.syncer_certificate} for p in state.participants
    ]
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            print(f"{visible(row['name']):<32} {row['syncer_certificate']}")
    return 0


def run_participant_remove(args: argparse.Namespace) -> int:
    from ..transitions import remove_participant

    ws = workspace(args)
    ws.update(lambda s: remove_participant(s, args.name), f"participant remove {args.name}")
    print(f"removed participating cluster {visible(args.name)}; revision {ws.state.revision}")
    return 0
