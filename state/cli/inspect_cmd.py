"""`tls-wizard inspect`: the certificate inspector on a file or stdin.

Kept import-light on purpose: it runs in scripts, so the module imports only argparse at
load time and the inspector (cryptography) inside the handler; never Textual.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from ..vocabulary import CertificateUse

CONTEXTS = CertificateUse.specific()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help="describe certificates and find problems; exit 1 on errors",
        description="Read certificates (PEM, DER or PKCS#7; anything else is named) from FILE "
        "or stdin, describe them and report what is wrong. Exit 1 when a finding is an "
        "error or the verdict rejects.",
    )
    parser.add_argument(
        "file", nargs="?", default="-", metavar="FILE|-", help="the input (default: stdin)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--trust",
        metavar="FILE",
        help="certificates a database trusts: would it accept the first input certificate "
        "(the rest are its intermediates)?",
    )
    parser.add_argument(
        "--as",
        dest="context",
        choices=CONTEXTS,
        help="judge the input as a database's client certificate or CA, or as the cluster's "
        "proxy or syncer certificate (default: only what is wrong everywhere)",
    )
    parser.add_argument("--fqdn", help="the cluster FQDN the proxy or syncer SANs must cover")
    parser.add_argument(
        "--key", metavar="FILE", help="a private key file that must match the first certificate"
    )
    parser.set_defaults(handler=run)


def _read_input(name: str) -> bytes:
    from ..certificates.reader import MAX_INPUT_BYTES, read_bytes_limited

    if name != "-":
        return read_bytes_limited(name)
    if sys.stdin.isatty():
        print("paste the certificates, then press Ctrl-D", file=sys.stderr)
    return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)


def _colour() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _write(text: str) -> None:
    """Print the report (its own colours kept, any other control character made visible);
    a reader that went away (``| head``) is not an error."""
    from ..text import write_styled

    try:
        write_styled(sys.stdout, text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _about_the_input(finding, certificates, trusted) -> bool:
    """With --trust the input is what the client sends: "trusted without its CA" is about
    the trusted list, so it stays only for an input certificate that list holds."""
    if not trusted or finding.code != "leaf-without-ca":
        return True
    index = int(finding.where.removeprefix("certificate ")) - 1
    return certificates[index].sha256 in {t.sha256 for t in trusted}


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from ..certificates import check, load_private_key, read, read_certificate_file, verify_client
    from ..certificates.reader import read_bytes_limited
    from ..certificates.report import (
        item_index,
        numbered,
        outside_the_chain,
        render_text,
        to_json,
    )
    from ..certificates.verify import Verdict

    result = read(_read_input(args.file))
    certificates = result.certificates
    key = None
    if args.key:
        key = load_private_key(read_bytes_limited(args.key), source=args.key)
    findings = list(result.findings)
    trusted = read_certificate_file(args.trust) if args.trust else []
    found = check(certificates, args.context or "any", fqdn=args.fqdn, key=key, alongside=trusted)
    findings += [f for f in found if _about_the_input(f, certificates, trusted)]
    verdict = None
    if args.trust:
        if certificates:
            verdict = verify_client(certificates[0], certificates[1:], trusted)
        else:
            verdict = Verdict(False, reason="the input holds no certificate to verify")
        findings += verdict.warnings

    def renumbered(finding):  # one numbering for the reader: the items as listed
        index = item_index(result, finding.where)
        return finding if index is None else replace(finding, path=f"item {index + 1}")

    if verdict is not None:
        findings = outside_the_chain(findings, verdict, numbered(certificates))
    findings = [renumbered(f) for f in findings]
    if args.json:
        text = json.dumps(to_json(result, findings, verdict), indent=2) + "\n"
    else:
        text = render_text(result, findings, verdict, color=_colour())
    _write(text)
    failed = any(f.severity == "error" for f in findings)
    return 1 if failed or (verdict is not None and not verdict.accepted) else 0
