"""The cluster screen's small questions: a participant's name, where to export, the version.

Each is a `Dialog[str | None]` with one validated `Input` and a button that names what
it does (Add participant, Export, Set version): Enter in the field or ^s answers when
the value is valid, Escape cancels. Writing the file and changing the state stay with the
screen, which calls the core.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.validation import Function, ValidationResult, Validator
from textual.widgets import Input, Static

from state.names import cluster_name_problem
from state.text import visible

from ..dialogs.base import Dialog, DialogButton
from ..text import plain


class ClusterNameValidator(Validator):
    """A DNS name, and not this cluster or a participant already known."""

    def __init__(self, taken: list[str]) -> None:
        super().__init__()
        self.taken = [name.lower() for name in taken]

    def validate(self, value: str) -> ValidationResult:
        name = value.strip()
        if not name:
            return self.failure("Give the other cluster's name (its FQDN).")
        if "@" in name or "://" in name:
            return self.failure(f"{visible(name)!r} is not a cluster name: give its FQDN.")
        problem = cluster_name_problem(name)
        if problem:
            return self.failure(problem)
        if name.lower() in self.taken[:1]:
            return self.failure(f"{name} is this cluster; participants are the other clusters.")
        if name.lower() in self.taken:
            return self.failure(f"{name} is already a participant.")
        return self.success()


class _AskDialog(Dialog[str | None]):
    """One validated input, the button that uses it, and Cancel."""

    def __init__(
        self,
        title: str,
        message: str,
        value: str,
        validators: list[Validator],
        *,
        answer_label: str,
    ) -> None:
        super().__init__(title)
        self.message = message
        self.value = value
        self.validators = validators
        self.answer_label = answer_label

    def dialog_buttons(self) -> Sequence[DialogButton]:
        return (
            DialogButton("answer", self.answer_label, "ctrl+s", "answer", "primary"),
            DialogButton("cancel", "Cancel", "escape", "cancel"),
        )

    def compose_body(self) -> ComposeResult:
        yield Static(self.message, classes="dialog-message")
        yield Input(self.value, id="ask-input", validators=self.validators)
        yield Static("", id="ask-problem", classes="form-problems")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        result = event.validation_result
        problem = "" if result is None or result.is_valid else result.failure_descriptions[0]
        self.query_one("#ask-problem", Static).update(plain(problem))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_answer()

    def action_answer(self) -> None:
        field = self.query_one(Input)
        result = field.validate(field.value)
        if result is not None and not result.is_valid:
            self.query_one("#ask-problem", Static).update(plain(result.failure_descriptions[0]))
            return
        self.dismiss(field.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ParticipantNameDialog(_AskDialog):
    """The name of another cluster; its syncer certificate is pasted next."""

    def __init__(self, taken: list[str]) -> None:
        super().__init__(
            "Add a participating cluster",
            "The other cluster's name (its FQDN). Next, paste its syncer certificate "
            "(on that cluster: cluster certificates, copy or export syncer).",
            "",
            [ClusterNameValidator(taken)],
            answer_label="Add participant",
        )


class ExportPathDialog(_AskDialog):
    """Where to write a certificate; a relative path is beside the state file."""

    def __init__(self, title: str, default: str) -> None:
        super().__init__(
            title,
            "File to write (PEM, leaf then chain); a relative path is beside the state "
            "file. An existing file is not overwritten.",
            default,
            [Function(lambda value: bool(value.strip()), "Give a file name.")],
            answer_label="Export",
        )


class VersionValidator(Validator):
    """X.Y.Z as `GET /v1/nodes` reports it (a build suffix is accepted), or empty."""

    def validate(self, value: str) -> ValidationResult:
        from state.errors import WizardError
        from state.versions import normalize_version

        try:
            normalize_version(value)
        except WizardError as error:
            return self.failure(str(error))
        return self.success()


class ClusterVersionDialog(_AskDialog):
    """The cluster's Redis Enterprise version, which the renderings and rules follow."""

    def __init__(self, version: str) -> None:
        super().__init__(
            "Redis Enterprise version",
            "The cluster's version (X.Y.Z, as GET /v1/nodes reports it in software_version). "
            "It decides the allowed minimum TLS versions, the certificates endpoint, the "
            "subject-check fields and the Active-Active TLS toggle. Empty: not known.",
            version,
            [VersionValidator()],
            answer_label="Set version",
        )
