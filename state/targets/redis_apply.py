"""Apply a plan to a live redis-server without ever locking the administrator out.

Three facts of Redis 7 decide the order. A multi-parameter CONFIG SET is one change: it
applies every value, runs their effects in the order given, and reverts all of them when
one fails. Redis rebuilds its TLS context from the tls-* files only while a TLS port (or
TLS replication) is on, so files set while TLS is off leave the old context in memory.
And a held connection survives its listener closing. So the TLS files always go in the
same CONFIG SET as the TLS port (the context is rebuilt from them, every apply), a port
number that moves from plaintext to TLS moves in that same command (there is no moment
without a listener), and the plaintext port closes only after a real handshake proved the
TLS port.

Any failure, a timeout, or a signal (INT, TERM, HUP) ends in one rollback: the command in
flight is waited for (its answer says what the server did), then the previous values are
set back in one CONFIG SET and read back with CONFIG GET before anything is reported. The
report says which settings are in which state and where the server answers, and it says
"not restored" when that is the truth.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..certificates import describe_pem
from ..errors import StaleStateError, WizardError
from ..store import load as load_state
from ..workspace import Workspace
from .link import link_problem, source_port_hint, unencrypted_link_problem
from .probe import ClientCredential, explain, ping, probe
from .redis_admin import AdminConnection, check_url, connect, mask
from .redis_files import (
    UNCHANGED_OWNER,
    FileOwner,
    check_server_can_read,
    local_server_user,
    write_files,
)
from .redis_plan import FILE_SETTINGS, NO_REPLICATION, TLS_SETTINGS, RedisPlan, tls_folder_name
from .redis_plan import build_plan as build_plan
from .redis_rollback import Rollback
from .redis_session import (
    RECOVER_TIMEOUT,
    Session,
    SignalGuard,
    StepFailed,
    ordered_config_args,
    reach_text,
    read_settings,
    shown,
)

__all__ = ["AdminConnection", "ApplyResult", "apply_database", "apply_plan", "check_url"]

LINK_TIMEOUT = 15.0
"""How long a new Replica Of link may take to come up (a source may delay its first sync)."""

NOT_PERSISTED = (
    "not persisted: the change lives only in the running server and a restart undoes it; "
    "apply again with --rewrite to write it to the server's config file (CONFIG REWRITE)"
)

MIN_REDIS_MAJOR = 7
"""Multi-parameter CONFIG SET, applied and reverted as one change, exists from Redis 7."""


class ReplicaOfChangeRefused(WizardError):
    """The apply would change the server's replication role and that was not allowed."""

    def __init__(self, warning: str) -> None:
        self.warning = warning
        super().__init__(
            f"refused, nothing changed: {warning}. If that is what you want, apply again "
            "with --allow-replicaof-change"
        )


@dataclass(frozen=True, slots=True)
class SettingChange:
    setting: str
    current: str
    desired: str

    @property
    def changed(self) -> bool:
        return self.current != self.desired


@dataclass(slots=True)
class ApplyResult:
    """What happened: the plan against the server, what was applied, checked, rolled back,
    and (read back from the server) where it stands now."""

    database: str
    url: str
    server: str = ""
    dry_run: bool = False
    changes: list[SettingChange] = field(default_factory=list)
    not_enforced: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    rolled_back: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    error: str = ""
    rewritten: bool = False
    outcome: str = ""
    """"dry-run", "unchanged", "applied", "rolled-back" or "not-restored"."""
    final: dict[str, str] = field(default_factory=dict)
    """The managed settings as CONFIG GET showed them at the end (empty: not reachable)."""
    reach: str = ""
    """Where the admin reaches the server now, in words."""
    not_persisted: str = ""
    """Set when the change lives only in the running server (no --rewrite): a restart undoes it."""

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def pending(self) -> list[SettingChange]:
        return [c for c in self.changes if c.changed]

    def as_dict(self) -> dict[str, Any]:
        result = asdict(self)
        result["ok"] = self.ok
        result["not_enforced"] = [{"setting": s, "detail": d} for s, d in self.not_enforced]
        return result


class ServerSettings(NamedTuple):
    """What apply reads first: the server ("Redis 7.0.15") and its managed settings."""

    server: str
    settings: dict[str, str]


def read_current(client) -> ServerSettings:
    """The server's name and version and the current values of every managed setting."""
    import redis

    try:
        server = client.info("server")
        current = read_settings(client)
    except redis.ResponseError as error:
        raise WizardError(
            f"the server refused to show its configuration ({error}); the admin "
            "connection needs CONFIG and INFO (check ACLs and rename-command)"
        ) from None
    version = str(server.get("redis_version", "?"))
    name = "Valkey" if "valkey_version" in server else "Redis"
    if current.get("tls-port") is None:
        raise WizardError(
            f"{name} {version} has no TLS settings: it was built without TLS; install a "
            "build with TLS (Debian's redis-server has it)"
        )
    major = int(version.split(".")[0]) if version.split(".")[0].isdigit() else 0
    if name == "Redis" and major < MIN_REDIS_MAJOR:
        raise WizardError(
            f"Redis {version} cannot apply several settings as one change (CONFIG SET with "
            f"many parameters); this target needs Redis {MIN_REDIS_MAJOR} or later (or Valkey)"
        )
    current["process_id"] = str(server.get("process_id", ""))
    current["config_file"] = str(server.get("config_file", "") or "")
    return ServerSettings(f"{name} {version}", current)


def compare(plan: RedisPlan, current: dict[str, str]) -> list[SettingChange]:
    changes = [
        SettingChange(key, current.get(key, ""), value) for key, value in plan.settings.items()
    ]
    if plan.replica_of is not None:
        changes.append(SettingChange("replicaof", current["replicaof"], plan.replica_of))
    return changes


class _Applier:
    """The steps, in the order that keeps a listener open and the TLS context fresh."""

    def __init__(self, session: Session, plan: RedisPlan, current: dict[str, str]) -> None:
        self.session = session
        self.plan = plan
        self.current = dict(current)
        self.result = session.result
        self.admin = session.admin
        self.link_timeout = LINK_TIMEOUT
        self.rewrite_sent = False

    def _checked(self, text: str) -> None:
        self.result.checks.append(text)
        self.result.log.append(f"checked: {text}")

    def config_set(self, label: str, values: dict[str, str], reload: tuple[str, ...] = ()):
        """One CONFIG SET of the values that differ, plus `reload` (sent even when equal:
        setting a tls-* file while TLS is on makes Redis rebuild its context from it)."""
        import redis

        changed = {k: v for k, v in values.items() if self.current.get(k) != v}
        sent = {k: v for k, v in values.items() if k in changed or k in reload}
        if not sent:
            return
        previous = {key: self.current[key] for key in changed}
        try:
            self.session.call("CONFIG", "SET", *ordered_config_args(sent, self.current))
        except redis.ResponseError as error:
            hint = ""
            if "TLS configuration" in str(error):
                hint = (
                    "; the server could not load the certificate, key or CA file: check that "
                    "it can read them and that they meet its OpenSSL security level (for "
                    "example RSA keys of at least 2048 bits)"
                )
            raise StepFailed(f"{label}: the server refused CONFIG SET ({error}){hint}") from None
        self.current.update(sent)
        if changed:
            text = ", ".join(f"{k} {shown(previous[k])} -> {shown(v)}" for k, v in changed.items())
            self.result.applied.append(f"{label}: {text}")
            self.result.log.append(f"applied: {label}: {text}")
        if set(sent) & set(FILE_SETTINGS) and self.current.get("tls-port", "0") != "0":
            self.result.log.append("reloaded: the TLS context, from the files set now")
        self.session.guard.check()

    def replicaof(self, target: str) -> None:
        import redis

        previous = self.current["replicaof"]
        if previous == target:
            return
        try:
            self.session.call("REPLICAOF", *target.split())
        except redis.ResponseError as error:
            raise StepFailed(
                f"Replica Of: the server refused REPLICAOF {target} ({error})"
            ) from None
        self.current["replicaof"] = target
        self.result.applied.append(f"Replica Of: {previous} -> {target}")
        self.result.log.append(f"applied: Replica Of: {previous} -> {target}")
        self.session.guard.check()

    def check_tls_port(self) -> None:
        """A real handshake on the TLS port, before anything plaintext is closed."""
        host, port = self.admin.host, self.plan.tls_port
        credential = self.admin.credential
        seen = probe(host, port, credential=credential, timeout=self.admin.timeout)
        where = f"{host}:{port}"
        if not seen.handshake:
            raise StepFailed(f"TLS check: no handshake on {where} ({seen.error})")
        leaf = describe_pem(ssl.DER_cert_to_PEM_cert(seen.peer_der or b""))
        if leaf.sha256 != self.plan.proxy_certificate:
            raise StepFailed(f"TLS check: {where} presents {leaf.label}, not the proxy certificate")
        if credential is None and self.plan.enforce_client_auth:
            self._checked(
                f"TLS handshake on {where} ({seen.version}) presents the proxy certificate "
                "(no client certificate given, so PING was not tried)"
            )
            return
        if not seen.accepted:
            who = "your client certificate" if credential else "a client without certificate"
            raise StepFailed(
                f"TLS check: {where} refused {who} ({seen.error}); the plaintext port was "
                "left open. Give --client-cert/--client-key of a client the database trusts"
            )
        who = (
            f"client certificate {credential.certificate.name}"
            if credential
            else "no client certificate"
        )
        self._checked(
            f"TLS handshake on {where} ({seen.version}) presents the proxy certificate; "
            f"PING answered with {who}"
        )
        self.session.guard.check()

    def check_link(self) -> None:
        """The replica's link: our own handshake as the replica makes it, then INFO."""
        host, _, port_text = (self.plan.replica_of or "").rpartition(" ")
        port = int(port_text)
        if self.current.get("tls-replication") == "yes":
            files = {f.role: f.path for f in self.plan.files}
            credential = ClientCredential(files["syncer certificate"], files["syncer key"])
            bundle = files.get("trusted certificates")
            cadata = bundle.read_text() if bundle else None
            problem = link_problem(
                host, port, credential, cadata, self.plan.cluster_name, hint=self.plan.source_hint
            )
            if problem:
                raise StepFailed(f"Replica Of link: {problem}")
        else:
            problem = unencrypted_link_problem(host, port, f"{host}:{port}")
            if problem:
                raise StepFailed(f"Replica Of link: {problem}")
        deadline = time.monotonic() + self.link_timeout
        status = "down"
        while time.monotonic() < deadline:
            self.session.guard.check()
            info = self.session.call("INFO", "replication")
            status = "up" if "master_link_status:up" in str(info) else "down"
            if status == "up":
                self._checked(f"Replica Of link to {host}:{port} is up")
                return
            time.sleep(0.1)
        raise StepFailed(
            f"Replica Of link: the link to {host}:{port} did not come up within "
            f"{self.link_timeout:g} s (master_link_status: {status})"
        )

    def check_plaintext(self, port: int) -> None:
        import redis

        try:
            ping(self.admin.host, port, tls=False, timeout=self.admin.timeout).close()
        except redis.AuthenticationError:
            pass  # it answered: with a password (requirepass), which is not ours to check
        except Exception as error:
            raise StepFailed(
                f"plaintext check: no PING answer on {self.admin.host}:{port} "
                f"({explain(error, self.admin.host, port)})"
            ) from None
        self._checked(f"PING answered on plaintext port {self.admin.host}:{port}")
        self.session.guard.check()

    def run(self, rewrite: bool) -> None:
        plan, current = self.plan, self.current
        want_tls, want_plain = plan.tls_port, plan.plain_port
        if want_tls:
            values = {k: v for k, v in plan.settings.items() if k in TLS_SETTINGS}
            values["tls-port"] = str(want_tls)
            moves = {str(want_tls), str(want_plain)} & {current["port"], current["tls-port"]}
            if moves - {"0"} and str(want_plain) != current["port"]:
                # A number moves between plaintext and TLS (either way): in this command,
                # so the admin's port number is never without a listener.
                values["port"] = str(want_plain)
            self.config_set("TLS listener", values, reload=FILE_SETTINGS)
            self.check_tls_port()
        self.config_set("TLS replication", {"tls-replication": plan.settings["tls-replication"]})
        if plan.replica_of is not None:
            self.replicaof(plan.replica_of)
            if plan.replica_of != NO_REPLICATION:
                self.check_link()
        ports = {"port": str(want_plain)}
        if not want_tls:
            # Closing TLS clears its files in the same command: nothing stale to rewrite.
            ports.update({key: plan.settings.get(key, "") for key in FILE_SETTINGS})
            ports["tls-port"] = "0"
        self.config_set("listeners" if not want_tls else "plaintext port", ports)
        if want_plain and (want_plain != self.admin.port or self.admin.uses_tls):
            self.check_plaintext(want_plain)
        if rewrite:
            self.rewrite_sent = True
            try:
                self.session.call("CONFIG", "REWRITE")
            except Exception as error:
                raise StepFailed(
                    f"CONFIG REWRITE failed ({error}); is the server running without a "
                    "config file? Apply without --rewrite, or start it from one"
                ) from None
            self.result.rewritten = True


def _apply_guarded(
    session: Session,
    plan: RedisPlan,
    current: dict[str, str],
    created: list[Path],
    *,
    rewrite: bool,
    link_timeout: float,
    say: Callable[[str], None],
) -> None:
    """Run the steps; on any failure roll back, then remove only the files the verified
    server state no longer names (never one the server may still be using)."""
    applier = _Applier(session, plan, current)
    applier.link_timeout = link_timeout
    result = session.result
    try:
        applier.run(rewrite)
        result.final = read_settings(session.client)
        result.reach = reach_text(session.admin, result.final)
        result.outcome = "applied" if result.applied else "unchanged"
        if result.applied and not rewrite:
            result.not_persisted = NOT_PERSISTED
        return
    except Exception as failure:
        if isinstance(failure, StepFailed):
            result.error = str(failure)
        else:
            host, port = session.admin.host, session.admin.port
            result.error = f"unexpected failure: {explain(failure, host, port)}"
        result.error = mask(result.error, session.admin.password)
    say("rolling back")
    Rollback(session, plan, current).run(applier.current, applier.rewrite_sent)
    used = set(result.final.values()) if result.outcome == "rolled-back" else None
    if used is not None:
        for path in created:
            if str(path) not in used:
                path.unlink(missing_ok=True)
        result.files = [f for f in result.files if f in used]


def replicaof_warning(plan: RedisPlan, current: dict[str, str]) -> str:
    """The loud line a change of the server's replication role gets."""
    now, wanted = current["replicaof"], plan.replica_of
    if wanted is None or now == wanted:
        return ""
    if wanted == NO_REPLICATION:
        return (
            f"REPLICAOF NO ONE: the server is a replica of {now} and would be PROMOTED to a "
            "primary that accepts writes (the database has no Replica Of source)"
        )
    if now == NO_REPLICATION:
        return (
            f"REPLICAOF {wanted}: the server is a primary and would become a replica; it "
            "DISCARDS its own data for a full copy of the source"
        )
    return f"REPLICAOF {wanted}: the server replicates {now} and would switch source"


def apply_plan(
    plan: RedisPlan,
    admin: AdminConnection,
    *,
    proxy_pem: str,
    dry_run: bool = False,
    rewrite: bool = False,
    link_timeout: float = LINK_TIMEOUT,
    allow_replicaof_change: bool = False,
    owner: FileOwner = UNCHANGED_OWNER,
    recover_timeout: float = RECOVER_TIMEOUT,
    progress: Callable[[str], None] | None = None,
) -> ApplyResult:
    """Compare `plan` with the server at `admin.url` and, unless a dry run, apply it.

    Refusals before anything changed raise WizardError; a failure after the server was
    changed is rolled back and reported in the result (`ok` False, `outcome` says whether
    the rollback was verified).
    """
    say = progress or (lambda _message: None)
    result = ApplyResult(plan.database, admin.safe_url, dry_run=dry_run)
    result.not_enforced = [(n.setting, n.detail) for n in plan.not_enforced]
    result.notes = list(plan.notes)
    say(f"connecting to {admin.safe_url}")
    guard = SignalGuard()
    with guard.installed():
        client = connect(admin, proxy_pem)
        session = Session(admin, client, result, proxy_pem, guard, recover_timeout)
        try:
            _compare_and_apply(
                session,
                plan,
                dry_run=dry_run,
                rewrite=rewrite,
                link_timeout=link_timeout,
                allow_replicaof_change=allow_replicaof_change,
                owner=owner,
                say=say,
            )
            return result
        finally:
            if session.client is not None:
                session.client.close()


def _compare_and_apply(
    session: Session,
    plan: RedisPlan,
    *,
    dry_run: bool,
    rewrite: bool,
    link_timeout: float,
    allow_replicaof_change: bool,
    owner: FileOwner,
    say: Callable[[str], None],
) -> None:
    """Everything after the connection, with INT/TERM/HUP recorded: before the first
    change a signal stops apply with nothing changed, after it the rollback runs."""
    result, admin = session.result, session.admin
    result.server, current = read_current(session.client)
    result.changes = compare(plan, current)
    warning = replicaof_warning(plan, current)
    if warning:
        result.warnings.append(warning)
    if dry_run:
        result.outcome = "dry-run"
        return
    _refuse_unsafe(plan, admin, warning, allow_replicaof_change)
    if rewrite:
        _refuse_rewrite_without_config_file(current)
    _stop_if_signalled(session.guard)
    say("writing certificate files")
    created = write_files(plan, owner)
    try:
        check_server_can_read(plan, local_server_user(current["process_id"], admin.host))
        _stop_if_signalled(session.guard)
    except WizardError:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    result.files = [str(f.path) for f in plan.files]
    say("applying")
    _apply_guarded(
        session, plan, current, created, rewrite=rewrite, link_timeout=link_timeout, say=say
    )


def _refuse_rewrite_without_config_file(current: dict[str, str]) -> None:
    """CONFIG REWRITE needs the file the server was started from; without one it fails
    only at the end, after every change was made (and then rolled back). Ask first."""
    if not current.get("config_file"):
        raise WizardError(
            "refused, nothing changed: --rewrite needs a config file, but the server was "
            "started without one (INFO server shows no config_file); start redis-server "
            "from a config file, or apply without --rewrite"
        )


def _stop_if_signalled(guard: SignalGuard) -> None:
    if guard.received:
        raise WizardError(f"interrupted by {guard.received} before any change; nothing changed")


def _refuse_unsafe(
    plan: RedisPlan, admin: AdminConnection, replicaof_change: str, allowed: bool
) -> None:
    if replicaof_change and not allowed:
        raise ReplicaOfChangeRefused(replicaof_change)
    if plan.plain_port == 0 and plan.tls_port and plan.enforce_client_auth and not admin.credential:
        raise WizardError(
            "applying closes the plaintext port and the server will require a client "
            "certificate, but none was given: pass --client-cert and --client-key of a "
            "client the database trusts, so apply can prove you can still connect"
        )


def default_tls_dir(workspace: Workspace, database_name: str) -> Path:
    """tls/db-<uid> beside the state file: one folder per database, named by its uid."""
    return workspace.folder / tls_folder_name(workspace.state, database_name)


def read_ca_file(path: str | Path | None) -> str:
    """The certificates of a CA file as PEM text ("" for none); refuses anything else."""
    if not path:
        return ""
    from ..certificates import read_certificate_file

    return "".join(c.pem for c in read_certificate_file(path))


def credential(certificate: str | Path | None, key: str | Path | None) -> ClientCredential | None:
    """A client certificate and key given as paths; both or neither."""
    if not certificate and not key:
        return None
    if not certificate or not key:
        raise WizardError("give a client certificate and its key together")
    pair = ClientCredential(Path(certificate).expanduser(), Path(key).expanduser())
    for path in (pair.certificate, pair.key):
        if not path.is_file():
            raise WizardError(f"{path}: no such file; check the path")
    return pair


def refuse_stale(workspace: Workspace, base_revision: int) -> None:
    """Apply what is saved, never an older copy: another writer may have removed a CA."""
    saved = load_state(workspace.path)
    if saved.revision != base_revision:
        raise StaleStateError(str(workspace.path.name), base_revision, saved.revision)


def apply_database(
    workspace: Workspace,
    name: str,
    admin: AdminConnection,
    *,
    tls_dir: str | Path | None = None,
    tls_port: int | None = None,
    dry_run: bool = False,
    rewrite: bool = False,
    link_timeout: float = LINK_TIMEOUT,
    allow_replicaof_change: bool = False,
    owner: FileOwner = UNCHANGED_OWNER,
    base_revision: int | None = None,
    recover_timeout: float = RECOVER_TIMEOUT,
    progress: Callable[[str], None] | None = None,
) -> ApplyResult:
    """The whole `apply redis` step, as the CLI and the Apply screen both run it. With
    `base_revision` (the screens), a state file saved since is refused as stale."""
    check_url(admin.url)
    if base_revision is not None:
        refuse_stale(workspace, base_revision)
    folder = Path(tls_dir) if tls_dir else default_tls_dir(workspace, name)
    if not folder.is_absolute():
        folder = workspace.folder / folder
    plan = build_plan(workspace.state, name, folder, workspace.read_key, tls_port=tls_port)
    if plan.replica_of and plan.replica_of != NO_REPLICATION:
        host, _, port = plan.replica_of.rpartition(" ")
        plan.source_hint = source_port_hint(workspace.state, host, int(port))
    return apply_plan(
        plan,
        admin,
        proxy_pem=workspace.state.certificate_pem("proxy"),
        dry_run=dry_run,
        rewrite=rewrite,
        link_timeout=link_timeout,
        allow_replicaof_change=allow_replicaof_change,
        owner=owner,
        recover_timeout=recover_timeout,
        progress=progress,
    )
