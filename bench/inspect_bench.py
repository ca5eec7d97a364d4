"""`tls-wizard inspect --json` over Debian's CA bundle against the openssl CLI, and the
verdict's cost per chain.

The reference is what an operator would type to see every certificate of a bundle:
`openssl crl2pkcs7 -nocrl -certfile B | openssl pkcs7 -print_certs -text -noout`.
Both run as subprocesses from spawn to exit, interleaved, median of the runs.
Target: at most 1.0x openssl's wall time.

The verdict (OpenSSL's X509_verify_cert, in process) is timed on a 5-certificate chain:
alone, and as one keystroke of a paste costs it (read, check, verdict). Target: the
keystroke well under 100 ms, so the preview stays live.
"""

from __future__ import annotations

import os
import shutil
import ssl
from datetime import UTC, datetime
from pathlib import Path

from bench.common import RUNS, env, heading, interleaved, python, time_call, verdict, wall

BUNDLE = Path(os.environ.get("BENCH_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt"))
TARGET = 1.0
KEYSTROKE_TARGET_MS = 100.0
CHAIN_LENGTH = 5


def main() -> int:
    heading("inspect: tls-wizard inspect --json vs openssl (bench/inspect_bench.py)")
    if not BUNDLE.exists() or shutil.which("openssl") is None:
        print(f"skipped: needs {BUNDLE} and the openssl CLI")
        return 0
    count = BUNDLE.read_bytes().count(b"-----BEGIN CERTIFICATE-----")
    quoted = str(BUNDLE).replace("'", "'\\''")
    openssl = (
        f"openssl crl2pkcs7 -nocrl -certfile '{quoted}' | openssl pkcs7 -print_certs -text -noout",
    )
    ours = [python(), "-m", "state.cli", "inspect", str(BUNDLE), "--json"]
    children = env()
    children.pop("TLS_WIZARD_NOW", None)
    wall(ours, env=children)  # warm the page cache and the .pyc files for both
    wall(openssl, shell=True)
    # Each run is a fraction of a second, so more of them: the median then holds still
    # on a machine shared with other jobs.
    tool, reference = interleaved(
        lambda: wall(ours, env=children), lambda: wall(openssl, shell=True), runs=max(RUNS, 15)
    )
    ratio = tool.median / reference.median
    print(f"bundle: {BUNDLE} ({count} certificates, {BUNDLE.stat().st_size / 1024:,.0f} KiB)")
    print(f"  tls-wizard inspect --json    {tool.ms()}")
    print(f"  reference: openssl pipeline  {reference.ms()}")
    print(f"  ratio {ratio:.2f}x; {verdict(ratio, TARGET)}")
    verdict_cost()
    return 0


def _five_certificate_paste() -> tuple[str, str]:
    """A leaf, three intermediates and a root, as one PEM paste, and the root alone."""
    from state.certificates.issue import SubjectFields, certificate_authority, issue_certificate

    root = certificate_authority("Bench Root")
    chain = [root]
    for depth in range(CHAIN_LENGTH - 2):
        chain.append(
            issue_certificate(chain[-1], SubjectFields(cn=f"Bench CA {depth}"), is_ca=True)
        )
    chain.append(issue_certificate(chain[-1], SubjectFields(cn="bench.example.com")))
    paste = b"".join(made.pem for made in reversed(chain)).decode()
    return paste, root.pem.decode()


def verdict_cost() -> None:
    from state.certificates import check, read, verify_client
    from state.certificates.openssl_chain import library_version, verify_chain

    paste, root_pem = _five_certificate_paste()
    certificates = read(paste).certificates
    (root,) = read(root_pem).certificates
    leaf, intermediates = certificates[0], certificates[1:-1]
    assert verify_client(leaf, intermediates, [root]).accepted

    def keystroke() -> None:
        found = read(paste).certificates
        check(found, "client")
        verify_client(found[0], found[1:-1], [found[-1]])

    runs = max(RUNS, 30)
    ders = [ssl.PEM_cert_to_DER_cert(c.pem) for c in certificates]
    now = datetime.now(UTC)
    openssl = time_call(lambda: verify_chain(ders[0], ders[1:-1], ders[-1:], now), runs=runs)
    alone = time_call(lambda: verify_client(leaf, intermediates, [root]), runs=runs)
    typed = time_call(keystroke, runs=runs)
    print(f"verdict ({library_version()}), {CHAIN_LENGTH}-certificate chain, in process:")
    print(f"  X509_verify_cert alone (ctypes)              {openssl.ms()}")
    print(f"  verify_client (X509_verify_cert + warnings)  {alone.ms()}")
    print(f"  one paste keystroke: read + check + verdict  {typed.ms()}")
    ratio = typed.median * 1000 / KEYSTROKE_TARGET_MS
    print(f"  keystroke {ratio:.2f}x of {KEYSTROKE_TARGET_MS:.0f} ms; {verdict(ratio, 1.0)}")


if __name__ == "__main__":
    raise SystemExit(main())
