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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ..errors import RefusedError, WizardError
from ..findings import errors
from ..rules import check_state
from ..text import visible
from ..workspace import Workspace
from .rest import CERTIFICATE_PATHS, PASSWORD_VARIABLE, RestRequest, rest_export, with_keys

TIMEOUT_SECONDS = 30.0
ACTION_TIMEOUT_SECONDS = 600.0
ACTION_POLL_SECONDS = 1.0
ACTION_DONE = ("completed",)
ACTION_FAILED = ("failed", "cancelled", "aborted")
"""Action statuses (objects/action): the one that means done, those that mean it did not
happen. Every other one (pending, active, queued, starting, running, cancelling) is still
under way."""


@dataclass(frozen=True, slots=True)
class Progress:
    """One look at the action a database change started (`GET /v1/actions/<uid>`)."""

    request: RestRequest
    action_uid: str
    status: str
    progress: float | None

    def __str__(self) -> str:
        done = f" {self.progress:.0f}%" if self.progress is not None else ""
        return f"  ... {self.request.title}: action {self.action_uid} {self.status}{done}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one request: `ok`, `validated` (dry run), `skipped`, `failed`, or
    `pending` (accepted, but its action had not finished when apply stopped waiting)."""

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
        return next((o for o in self.outcomes if o.status in ("failed", "pending")), None)

    @property
    def applied(self) -> list[RestRequest]:
        return [o.request for o in self.outcomes if o.status == "ok"]

    def summary(self) -> str:
        verb = "validated" if self.dry_run else "applied"
        done = [o.request.title for o in self.outcomes if o.status in ("ok", "validated")]
        lines = [f"{verb}: {', '.join(done) if done else 'nothing'}"]
        failed = self.failed
        if failed is not None:
            lines.append(
                f"{failed.status}: {visible(failed.request.title)}: {visible(failed.message)}"
            )
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


def _progress_value(value: Any) -> float | None:
    """`progress` is a float from 7.4.2, a string ("100") before it (objects/action)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@dataclass(slots=True)
class ActionFollower:
    """Follows the action a `PUT /v1/bdbs/<uid>` started until it completes or fails.

    The response carries the bdb object, whose `action_uid` names the running action
    (requests/bdbs: "poll the /actions/<action_uid> endpoint with the action_uid returned
    in the response body").
    """

    client: httpx.Client
    base: str
    progress: Callable[[Progress], None] | None
    timeout: float
    poll_seconds: float

    def __call__(self, request: RestRequest, response: httpx.Response) -> Outcome:
        status_code = response.status_code
        if request.supports_dry_run and request.path.startswith("/v1/bdbs/"):
            uid = _action_uid(response)
            if uid:
                return self.follow(request, status_code, uid)
        return Outcome(request, "ok", status_code)

    def follow(self, request: RestRequest, status_code: int, uid: str) -> Outcome:
        deadline = time.monotonic() + self.timeout
        last = "pending"
        percent: float | None = None
        while True:
            try:
                answer = self.client.get(f"{self.base}/v1/actions/{uid}")
            except httpx.TransportError as error:
                return Outcome(
                    request,
                    "pending",
                    status_code,
                    f"accepted; action {uid} could not be followed "
                    f"({_connection_problem(self.base, error)}); check GET /v1/actions/{uid}",
                )
            if answer.status_code == 404:
                return Outcome(
                    request,
                    "pending",
                    status_code,
                    f"accepted, but the cluster no longer knows action {uid} (404); check the "
                    f"database with GET {request.path}",
                )
            data = _json_object(answer)
            last = str(data.get("status", last))
            percent = _progress_value(data.get("progress"))
            if self.progress is not None:
                self.progress(Progress(request, uid, last, percent))
            if last in ACTION_DONE:
                return Outcome(request, "ok", status_code, f"action {uid} completed")
            if last in ACTION_FAILED:
                detail = data.get("error_message") or data.get("error_code") or ""
                return Outcome(
                    request,
                    "failed",
                    status_code,
                    f"accepted, but action {uid} {last}"
                    + (f": {str(detail)[:200]}" if detail else ""),
                )
            if time.monotonic() >= deadline:
                done = f" at {percent:.0f}%" if percent is not None else ""
                return Outcome(
                    request,
                    "pending",
                    status_code,
                    f"still {last}{done} after {self.timeout:.0f} s: action {uid} has not "
                    f"finished; follow it with GET /v1/actions/{uid} before applying again",
                )
            time.sleep(self.poll_seconds)


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _action_uid(response: httpx.Response) -> str:
    uid = _json_object(response).get("action_uid")
    return uid if isinstance(uid, str) and uid else ""


def refuse_rule_errors(workspace: Workspace, database_name: str | None) -> None:
    """Nothing is sent while the state has errors in what would be sent."""
    found = [
        f
        for f in errors(check_state(workspace.state))
        if database_name is None or f.database_name == database_name
    ]
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
    database_name: str | None = None,
    legacy_names: bool = False,
    bulk_certificates: bool | None = None,
    report: Callable[[Outcome], None] | None = None,
    transport: httpx.BaseTransport | None = None,
    progress: Callable[[Progress], None] | None = None,
    action_timeout: float | None = None,
    poll_seconds: float | None = None,
) -> ApplyReport:
    """Send the export's requests in order; stop at the first failure.

    Everything knowable in advance is checked before the first request: the rules, what
    the cluster's version accepts (the export refuses it), the key files. A dry run sends
    what the API can validate (`?dry_run` on `PUT /v1/cluster` and `PUT /v1/bdbs/<uid>`)
    and reports the certificate requests as skipped, since the API has no dry run for
    them. A database change the cluster accepted is followed through its action until the
    action completes or fails (`progress` sees each look), or `action_timeout` passes.
    """
    base = _check_url(url)
    if not user:
        raise WizardError("--user is empty")
    refuse_rule_errors(workspace, database_name)
    export = rest_export(
        workspace.state,
        database_name,
        legacy_names=legacy_names,
        bulk_certificates=bulk_certificates,
    )
    result = ApplyReport(dry_run=dry_run, skipped=list(export.skipped), notes=list(export.notes))
    bodies = [_body(workspace, r) for r in export.requests]
    action_timeout = ACTION_TIMEOUT_SECONDS if action_timeout is None else action_timeout
    poll_seconds = ACTION_POLL_SECONDS if poll_seconds is None else poll_seconds
    say = report or (lambda outcome: None)
    with httpx.Client(
        auth=httpx.BasicAuth(user, password),
        verify=_verify(ca),
        timeout=TIMEOUT_SECONDS,
        transport=transport,
        headers={"Accept": "application/json"},
    ) as client:
        if not dry_run and not _preflight(client, base, export.requests, bodies, result, say):
            return result
        for index, (request, body) in enumerate(zip(export.requests, bodies, strict=True)):
            if dry_run and not request.supports_dry_run:
                outcome = Outcome(request, "skipped", None, "the API has no dry run for this")
                result.outcomes.append(outcome)
                say(outcome)
                continue
            outcome, response = _send(client, base, request, body, dry_run)
            if response is not None and outcome.status == "ok":
                follow = ActionFollower(client, base, progress, action_timeout, poll_seconds)
                outcome = follow(request, response)
            result.outcomes.append(outcome)
            say(outcome)
            if outcome.status in ("failed", "pending"):
                result.not_sent = export.requests[index + 1 :]
                return result
    return result


def _send(
    client: httpx.Client, base: str, request: RestRequest, body: dict[str, Any], dry_run: bool
) -> tuple[Outcome, httpx.Response | None]:
    """One request; the outcome, and the response when the cluster accepted it."""
    target = base + request.path + ("?dry_run" if dry_run else "")
    try:
        response = client.request(request.method, target, json=body)
    except httpx.TransportError as error:
        return Outcome(request, "failed", None, str(_connection_problem(base, error))), None
    if response.is_success:
        return Outcome(request, "validated" if dry_run else "ok", response.status_code), response
    return Outcome(request, "failed", response.status_code, explain(request, response)), None


def _preflight(
    client: httpx.Client,
    base: str,
    requests: list[RestRequest],
    bodies: list[dict[str, Any]],
    result: ApplyReport,
    say: Callable[[Outcome], None],
) -> bool:
    """Before the first change, let the cluster validate every request it can (`?dry_run`
    on `PUT /v1/cluster` and `PUT /v1/bdbs/<uid>`), so that a refused value stops apply
    before the certificates are swapped. False (and the refusal in `result`) if one is
    refused."""
    for request, body in zip(requests, bodies, strict=True):
        if not request.supports_dry_run:
            continue
        outcome, _ = _send(client, base, request, body, dry_run=True)
        if outcome.status == "failed":
            refused = Outcome(
                request,
                "failed",
                outcome.http_status,
                f"refused by the cluster's advance check (dry run), so nothing was changed: "
                f"{outcome.message}",
            )
            result.outcomes.append(refused)
            result.not_sent = [r for r in requests if r is not request]
            say(refused)
            return False
    return True
