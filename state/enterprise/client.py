"""Apply the REST export to a cluster: in order, one response reported at a time, stop at
the first error and say what was and was not applied.

The API's certificate is always verified (`ca` for the cluster's self-signed one); there
is no switch to turn verification off. The password is passed in, held only by the HTTP
client's auth, and never appears in a report, a message or an exception this module
raises. `httpx` is imported here, so only `apply` pays for it.
"""

from __future__ import annotations

import getpass
import os
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ..errors import RefusedError, WizardError
from ..findings import errors
from ..operations import Workspace
from ..rules import check_state
from ..text import visible
from .rest import CERTIFICATE_PATHS, PASSWORD_VARIABLE, RestRequest, rest_export, with_keys

TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one request: `ok`, `validated` (dry run), `skipped` or `failed`."""

    request: RestRequest
    status: str
    http_status: int | None = None
    message: str = ""

    def __str__(self) -> str:
        code = f" {self.http_status}" if self.http_status is not None else ""
        detail = f": {self.message}" if self.message else ""
        return f"{self.status}{code}  {self.request.method} {self.request.path}  ({self.request.title}){detail}"


@dataclass(slots=True)
class ApplyReport:
    """Every outcome in order, and the requests never sent because an earlier one failed."""

    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    not_sent: list[RestRequest] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> Outcome | None:
        return next((o for o in self.outcomes if o.status == "failed"), None)

    @property
    def applied(self) -> list[RestRequest]:
        return [o.request for o in self.outcomes if o.status == "ok"]

    def summary(self) -> str:
        verb = "validated" if self.dry_run else "applied"
        done = [o.request.title for o in self.outcomes if o.status in ("ok", "validated")]
        lines = [f"{verb}: {', '.join(done) if done else 'nothing'}"]
        failed = self.failed
        if failed is not None:
            lines.append(f"failed: {visible(failed.request.title)}: {visible(failed.message)}")
        if self.not_sent:
            lines.append(f"not sent: {', '.join(visible(r.title) for r in self.not_sent)}")
        return "\n".join(lines)


def read_password(user: str, url: str) -> str:
    """`$TLS_WIZARD_PASSWORD`, else a prompt on the terminal; never echoed, never stored."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        if not sys.stdin.isatty():
            raise WizardError(
                f"no password: set {PASSWORD_VARIABLE}, or run in a terminal to be asked for it"
            )
        password = getpass.getpass(f"password for {user} at {url}: ")
    if not password:
        raise WizardError("the password is empty")
    return password


def _verify(ca: str | os.PathLike[str] | None) -> ssl.SSLContext:
    """A context that verifies the API's certificate: against `ca`, else the system's CAs."""
    if ca is None:
        return ssl.create_default_context()
    path = Path(ca)
    if not path.is_file():
        raise WizardError(f"--ca {ca}: no such file; give the cluster's API certificate (PEM)")
    try:
        return ssl.create_default_context(cafile=str(path))
    except ssl.SSLError:
        raise WizardError(
            f"--ca {ca}: holds no PEM certificate; give the cluster's API certificate"
        ) from None


def _check_url(url: str) -> str:
    parsed = httpx.URL(url)
    if parsed.scheme != "https" or not parsed.host:
        raise WizardError(
            f"--url {url!r}: give https://HOST:9443 (the REST API over TLS; plain http would "
            "send the password in the clear)"
        )
    if parsed.userinfo:
        raise WizardError("--url: put the user in --user and the password in the environment")
    return str(parsed.copy_with(path="", query=None, fragment=None)).rstrip("/")


ERROR_CODES = {
    "invalid_certificate": "a certificate is missing or malformed (invalid_certificate); "
    "check it with `tls-wizard inspect`",
    "certificate_expired": "a certificate has expired (certificate_expired); replace it and "
    "apply again",
    "duplicated_certs": "a certificate appears more than once (duplicated_certs); remove the "
    "duplicate",
}

UPDATE_CERT_STATUS = {
    400: "the cluster refused the certificate as invalid (400)",
    403: "the cluster does not know this certificate name (403)",
    404: "the cluster refused the certificate as invalid (404)",
    406: "the cluster refused the certificate as expired (406)",
    409: "not all nodes were updated (409); retry the request",
}


def _server_detail(response: httpx.Response) -> tuple[str, str]:
    """The documented `error_code` and the server's own message, if the body has them."""
    try:
        data = response.json()
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    code = data.get("error_code")
    message = data.get("message") or data.get("description") or ""
    return (code if isinstance(code, str) else ""), str(message)[:200]


def explain(request: RestRequest, response: httpx.Response) -> str:
    """One line for a refused request: the documented meaning, then the server's words."""
    status = response.status_code
    code, message = _server_detail(response)
    if status == 401:
        return "the cluster refused the user or password (401); check --user and the password"
    if code in ERROR_CODES:
        text = ERROR_CODES[code]
    elif request.path in CERTIFICATE_PATHS and status in UPDATE_CERT_STATUS:
        text = UPDATE_CERT_STATUS[status]
    elif status == 406:
        text = "the cluster says the configuration is invalid (406)"
    elif status == 404:
        text = "not found on the cluster (404); is the database uid right? import the cluster again"
    elif status == 409:
        text = "the database is busy with another change (409); apply again in a moment"
    elif status == 403:
        text = "forbidden (403): the user lacks the permission, or the license expired"
    else:
        text = f"HTTP {status}"
        if code:
            text += f" ({code})"
    if message and message not in text:
        text += f": {message}"
    return text


def _connection_problem(url: str, error: httpx.TransportError) -> WizardError:
    text = str(error)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return WizardError(
            f"{url}: the cluster's certificate is not trusted ({_reason(text)}); pass --ca FILE "
            "with the cluster's API certificate (verification is never turned off)"
        )
    if isinstance(error, httpx.TimeoutException):
        return WizardError(f"{url}: no answer within {TIMEOUT_SECONDS:.0f} s")
    return WizardError(f"{url}: cannot connect ({_reason(text) or type(error).__name__})")


def _reason(text: str) -> str:
    """The last, most specific part of an SSL/socket error, without the Python noise."""
    text = text.strip()
    if "certificate verify failed:" in text:
        return text.split("certificate verify failed:", 1)[1].split("(")[0].strip()
    return text[:160]


def _body(workspace: Workspace, request: RestRequest) -> dict[str, Any]:
    if not request.key_files:
        return request.body
    keys = {role: workspace.read_key(role).decode() for role in request.key_files}
    return with_keys(request.body, keys)


def refuse_rule_errors(workspace: Workspace, database: str | None) -> None:
    """Nothing is sent while the state has errors in what would be sent."""
    prefix = f"databases.{database}" if database else ""
    found = [f for f in errors(check_state(workspace.state)) if f.where.startswith(prefix)]
    if found:
        raise RefusedError(
            "refused: the state has errors; fix them before applying: "
            + "; ".join(f"{f.where}: {f.message} [{f.code}]" for f in found),
            found,
        )


def apply(
    workspace: Workspace,
    url: str,
    user: str,
    password: str,
    *,
    ca: str | os.PathLike[str] | None = None,
    dry_run: bool = False,
    database: str | None = None,
    legacy_names: bool = False,
    bulk_certificates: bool = False,
    report: Callable[[Outcome], None] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> ApplyReport:
    """Send the export's requests in order; stop at the first failure.

    A dry run sends only what the API can validate (`?dry_run` on `PUT /v1/bdbs/<uid>`)
    and reports the cluster requests as skipped, since the API has no dry run for them.
    """
    base = _check_url(url)
    if not user:
        raise WizardError("--user is empty")
    refuse_rule_errors(workspace, database)
    export = rest_export(
        workspace.state,
        database,
        legacy_names=legacy_names,
        bulk_certificates=bulk_certificates,
    )
    result = ApplyReport(dry_run=dry_run, skipped=list(export.skipped), notes=list(export.notes))
    bodies = [_body(workspace, r) for r in export.requests]
    say = report or (lambda outcome: None)
    with httpx.Client(
        auth=httpx.BasicAuth(user, password),
        verify=_verify(ca),
        timeout=TIMEOUT_SECONDS,
        transport=transport,
        headers={"Accept": "application/json"},
    ) as client:
        for index, (request, body) in enumerate(zip(export.requests, bodies, strict=True)):
            if dry_run and not request.supports_dry_run:
                outcome = Outcome(request, "skipped", None, "the API has no dry run for this")
                result.outcomes.append(outcome)
                say(outcome)
                continue
            target = base + request.path + ("?dry_run" if dry_run else "")
            try:
                response = client.request(request.method, target, json=body)
            except httpx.TransportError as error:
                result.not_sent = export.requests[index + 1 :]
                outcome = Outcome(request, "failed", None, str(_connection_problem(base, error)))
                result.outcomes.append(outcome)
                say(outcome)
                return result
            if response.is_success:
                outcome = Outcome(request, "validated" if dry_run else "ok", response.status_code)
                result.outcomes.append(outcome)
                say(outcome)
                continue
            outcome = Outcome(request, "failed", response.status_code, explain(request, response))
            result.outcomes.append(outcome)
            result.not_sent = export.requests[index + 1 :]
            say(outcome)
            return result
    return result
