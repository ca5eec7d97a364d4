"""The one exception the inspector raises: input the caller must fix."""

from __future__ import annotations


class CertificateInputError(ValueError):
    """Input that cannot be used where a certificate (or key) is expected.

    ``str(error)`` is one line that says what was wrong and what to do instead, so the CLI
    and the screens can show it as is. It never contains key material: messages are built
    from fixed text and from certificate fields, never from the pasted bytes.
    """
