"""The TLS wizard: one step widget per documented step around one pending form."""

from __future__ import annotations

from .screen import TlsWizardScreen

__all__ = ["TlsWizardScreen"]
