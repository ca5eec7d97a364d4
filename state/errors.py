"""Errors the core raises: each carries one line that says what was wrong and what to do."""


class WizardError(Exception):
    """A refusal or failure the user can act on; the CLI prints it as one line, exit 1."""


class StateFileError(WizardError):
    """The state file is missing, unreadable, corrupt or invalid; it is never overwritten."""


class StaleStateError(WizardError):
    """Another writer saved the state since it was opened."""

    def __init__(self, path: str, base: int, current: int) -> None:
        self.base = base
        self.current = current
        super().__init__(
            f"{path} changed on disk since you opened it (revision {base} -> {current}); "
            "reload it and apply your change again"
        )


class RefusedError(WizardError):
    """The rules refuse the change; `findings` holds the errors."""

    def __init__(self, message: str, findings: list | None = None) -> None:
        super().__init__(message)
        self.findings = findings or []
