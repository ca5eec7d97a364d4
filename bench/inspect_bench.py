"""`tls-wizard inspect --json` over Debian's CA bundle against the openssl CLI.

The reference is what an operator would type to see every certificate of a bundle:
`openssl crl2pkcs7 -nocrl -certfile B | openssl pkcs7 -print_certs -text -noout`.
Both run as subprocesses from spawn to exit, interleaved, median of the runs.
Target: at most 1.0x openssl's wall time.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bench.common import RUNS, env, heading, interleaved, python, verdict, wall

BUNDLE = Path(os.environ.get("BENCH_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt"))
TARGET = 1.0


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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
