"""`python -m tui`: the same entry point as the `tls-wizard` command."""

import sys

from state.cli import main

if __name__ == "__main__":
    sys.exit(main())
