"""Apply a plan to a live redis-server without ever locking the administrator out.

The order is what makes it safe: new TLS settings first (they take effect only when a TLS
listener exists), then the TLS port is opened and proven with a real handshake, then the
replication link, and only then is the plaintext port closed. The admin connection is one
held connection, which a redis-server keeps open when its listeners change, so every
failure is rolled back over it: each applied step records the values it replaced and is
undone in reverse order. Files are named after their content, so a rollback never finds a
file the server was using overwritten; the ones this run created are removed again.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..certificates import describe_pem
from ..errors import WizardError
from ..operations import Workspace, certificate_pem
from ..store import write_atomic
from .redis_plan import MANAGED_SETTINGS, NO_REPLICATION, TLS_SETTINGS, RedisPlan, build_plan
from .verify import ClientCredential, explain, link_problem, ping, probe

LINK_TIMEOUT = 15.0
"""How long a new Replica Of link may take to come up (a source may delay its first sync)."""

MIN_REDIS_MAJOR = 7
"""Certificate and key must change in one CONFIG SET (Redis 7): one at a time, the server
would try to load a new certificate with the old key."""


class StepFailed(Exception):
    """A step failed after the server was changed: everything applied gets rolled back."""


@dataclass(frozen=True, slots=True)
class Change:
    setting: str
    current: str
    desired: str

    @property
    def changed(self) -> bool:
        return self.current != self.desired


@dataclass(slots=True)
class ApplyResult:
    """What happened: the plan against the server, what was applied, checked, rolled back."""

    database: str
    url: str
    server: str = ""
    dry_run: bool = False
    changes: list[Change] = field(default_factory=list)
    not_enforced: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    rolled_back: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    error: str = ""
    rewritten: bool = False

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.changed]

    def as_dict(self) -> dict[str, Any]:
        result = asdict(self)
        result["ok"] = self.ok
        result["not_enforced"] = [{"setting": s, "detail": d} for s, d in self.not_enforced]
        return result


@dataclass(frozen=True, slots=True)
class AdminConnection:
    """How to reach the server: a redis:// or rediss:// URL and, for TLS, the client files."""

    url: str
    credential: ClientCredential | None = None
    ca_pem: str = ""

    @property
    def parts(self):
        return urlsplit(self.url)

    @property
    def host(self) -> str:
        return self.parts.hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return self.parts.port or 6379

    @property
    def uses_tls(self) -> bool:
        return self.parts.scheme == "rediss"

    @property
    def safe_url(self) -> str:
        """The URL without its password, for output."""
        parts = self.parts
        if parts.password is None:
            return self.url
        user = parts.username or ""
        netloc = f"{user}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))


def check_url(url: str) -> None:
    """Refuse what is not redis://HOST:PORT or rediss://HOST:PORT, with the fix in the message."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise WizardError(f"--url {url!r} is not a valid URL ({error})") from None
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise WizardError(
            f"--url {url!r} must look like redis://HOST:PORT (plaintext) or "
            "rediss://HOST:PORT (TLS, with --client-cert/--client-key/--ca)"
        )
    if port is not None and not 1 <= port <= 65535:
        raise WizardError(f"--url {url!r}: port {port} is not a port (1-65535)")


def connect(admin: AdminConnection, proxy_pem: str, timeout: float = 5.0):
    """One held redis-py connection (it survives listener changes, so rollback can use it)."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    check_url(admin.url)
    options: dict[str, Any] = {}
    if admin.uses_tls:
        options = {
            "ssl_ca_data": admin.ca_pem or proxy_pem,
            "ssl_check_hostname": False,
            "ssl_include_verify_flags": [ssl.VerifyFlags.VERIFY_X509_PARTIAL_CHAIN],
        }
        if admin.credential is not None:
            options["ssl_certfile"] = str(admin.credential.certificate)
            options["ssl_keyfile"] = str(admin.credential.key)
    client = None
    try:
        client = redis.Redis.from_url(
            admin.url,
            single_connection_client=True,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            decode_responses=True,
            **options,
        )
        client.ping()
    except redis.AuthenticationError as error:
        _close(client)
        raise WizardError(
            f"{admin.safe_url} refused the password ({error}); put it in the URL as "
            "redis://:PASSWORD@HOST:PORT"
        ) from None
    except redis.RedisError as error:
        _close(client)
        hint = (
            "check the host and port; for a TLS port use rediss:// with --client-cert, "
            "--client-key and --ca"
            if not admin.uses_tls
            else "check the port, and that --client-cert/--client-key are trusted by the "
            "server and --ca (default: the cluster's proxy certificate) issued its certificate"
        )
        raise WizardError(
            f"cannot connect to {admin.safe_url}: {explain(error, admin.host, admin.port)}; {hint}"
        ) from None
    return client


def _close(client) -> None:
    if client is not None:
        client.close()


def read_current(client) -> tuple[str, dict[str, str]]:
    """The server's version and the current values of every setting the plan manages."""
    import redis

    try:
        server = client.info("server")
        values = client.config_get("tls-*")
        values.update(client.config_get("port"))
        replication = client.info("replication")
    except redis.ResponseError as error:
        raise WizardError(
            f"the server refused to show its configuration ({error}); the admin "
            "connection needs CONFIG and INFO (check ACLs and rename-command)"
        ) from None
    version = str(server.get("redis_version", "?"))
    name = "Valkey" if "valkey_version" in server else "Redis"
    if "tls-port" not in values:
        raise WizardError(
            f"{name} {version} has no TLS settings: it was built without TLS; install a "
            "build with TLS (Debian's redis-server has it)"
        )
    major = int(version.split(".")[0]) if version.split(".")[0].isdigit() else 0
    if name == "Redis" and major < MIN_REDIS_MAJOR:
        raise WizardError(
            f"Redis {version} cannot change a certificate and its key in one CONFIG SET; "
            f"this target needs Redis {MIN_REDIS_MAJOR} or later (or Valkey)"
        )
    current = {key: str(values.get(key, "")) for key in MANAGED_SETTINGS}
    if replication.get("role") == "slave":
        current["replicaof"] = f"{replication['master_host']} {replication['master_port']}"
    else:
        current["replicaof"] = NO_REPLICATION
    return f"{name} {version}", current


def compare(plan: RedisPlan, current: dict[str, str]) -> list[Change]:
    changes = [Change(key, current.get(key, ""), value) for key, value in plan.settings.items()]
    if plan.replica_of is not None:
        changes.append(Change("replicaof", current["replicaof"], plan.replica_of))
    return changes


def _shown(value: str) -> str:
    return repr(value) if value == "" else value


class _Applier:
    """The steps, each recorded with the values it replaced so it can be undone."""

    def __init__(
        self,
        client,
        plan: RedisPlan,
        current: dict[str, str],
        admin: AdminConnection,
        result: ApplyResult,
        link_timeout: float,
    ) -> None:
        self.client = client
        self.plan = plan
        self.current = dict(current)
        self.admin = admin
        self.result = result
        self.link_timeout = link_timeout
        self.undo: list[tuple[str, Callable[[], None]]] = []

    def _checked(self, text: str) -> None:
        self.result.checks.append(text)
        self.result.log.append(f"checked: {text}")

    def config_set(self, label: str, values: dict[str, str]) -> None:
        import redis

        values = {k: v for k, v in values.items() if self.current.get(k) != v}
        if not values:
            return
        previous = {key: self.current[key] for key in values}
        try:
            self.client.config_set(*[part for item in values.items() for part in item])
        except redis.RedisError as error:
            hint = ""
            if "TLS configuration" in str(error):
                hint = (
                    "; the server could not load the certificate, key or CA file: check that "
                    "it can read them and that they meet its OpenSSL security level (for "
                    "example RSA keys of at least 2048 bits)"
                )
            raise StepFailed(f"{label}: the server refused CONFIG SET ({error}){hint}") from None
        self.current.update(values)
        self.undo.append(
            (label, lambda: self.client.config_set(*[p for i in previous.items() for p in i]))
        )
        changed = ", ".join(f"{k} {_shown(previous[k])} -> {_shown(v)}" for k, v in values.items())
        self.result.applied.append(f"{label}: {changed}")
        self.result.log.append(f"applied: {label}: {changed}")

    def replicaof(self, target: str) -> None:
        import redis

        previous = self.current["replicaof"]
        if previous == target:
            return
        try:
            self.client.execute_command("REPLICAOF", *target.split())
        except redis.RedisError as error:
            raise StepFailed(
                f"Replica Of: the server refused REPLICAOF {target} ({error})"
            ) from None
        self.current["replicaof"] = target
        self.undo.append(
            ("Replica Of", lambda: self.client.execute_command("REPLICAOF", *previous.split()))
        )
        self.result.applied.append(f"Replica Of: {previous} -> {target}")
        self.result.log.append(f"applied: Replica Of: {previous} -> {target}")

    def check_tls_port(self) -> None:
        """A real handshake on the new TLS port, before anything plaintext is closed."""
        host, port = self.admin.host, self.plan.tls_port
        credential = self.admin.credential
        seen = probe(host, port, credential=credential)
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

    def check_link(self) -> None:
        """The replica's link: our own handshake as the replica makes it, then INFO."""
        host, _, port_text = (self.plan.replica_of or "").rpartition(" ")
        port = int(port_text)
        if self.current.get("tls-replication") == "yes":
            files = {f.role: f.path for f in self.plan.files}
            credential = ClientCredential(files["syncer certificate"], files["syncer key"])
            bundle = files.get("trusted certificates")
            cadata = bundle.read_text() if bundle else None
            problem = link_problem(host, port, credential, cadata, self.plan.cluster_name)
            if problem:
                raise StepFailed(f"Replica Of link: {problem}")
        deadline = time.monotonic() + self.link_timeout
        status = "down"
        while time.monotonic() < deadline:
            status = str(self.client.info("replication").get("master_link_status", "down"))
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
            ping(self.admin.host, port, tls=False).close()
        except redis.AuthenticationError:
            pass  # it answered: with a password (requirepass), which is not ours to check
        except Exception as error:
            raise StepFailed(
                f"plaintext check: no PING answer on {self.admin.host}:{port} "
                f"({explain(error, self.admin.host, port)})"
            ) from None
        self._checked(f"PING answered on plaintext port {self.admin.host}:{port}")

    def run(self, rewrite: bool) -> None:
        plan, current = self.plan, self.current
        tls_values = {k: v for k, v in plan.settings.items() if k in TLS_SETTINGS}
        self.config_set("TLS settings", tls_values)
        want_tls, want_plain = plan.tls_port, plan.plain_port
        if want_tls and str(want_tls) != current["tls-port"]:
            if str(want_tls) == current["port"]:
                # Same number: plaintext must close first; the held connection stays open.
                self.config_set(
                    f"plaintext port (frees {want_tls} for TLS)", {"port": str(want_plain)}
                )
            self.config_set("open TLS port", {"tls-port": str(want_tls)})
        if want_tls:
            self.check_tls_port()
        self.config_set("TLS replication", {"tls-replication": plan.settings["tls-replication"]})
        if plan.replica_of is not None:
            self.replicaof(plan.replica_of)
            if plan.replica_of != NO_REPLICATION:
                self.check_link()
        if str(want_plain) != current["port"]:
            if want_plain and str(want_plain) == current["tls-port"]:
                # Same number the other way: TLS closes first, over the held connection.
                self.config_set(
                    f"close TLS port (frees {want_plain} for plaintext)",
                    {"tls-port": str(want_tls)},
                )
            self.config_set("plaintext port", {"port": str(want_plain)})
        if want_plain and (want_plain != self.admin.port or self.admin.uses_tls):
            self.check_plaintext(want_plain)
        if not want_tls:
            self.config_set("close TLS port", {"tls-port": "0"})
        if rewrite:
            try:
                self.client.config_rewrite()
            except Exception as error:
                raise StepFailed(
                    f"CONFIG REWRITE failed ({error}); is the server running without a "
                    "config file? Apply without --rewrite, or start it from one"
                ) from None
            self.result.rewritten = True

    def rollback(self) -> None:
        for label, undo in reversed(self.undo):
            try:
                undo()
                self.result.rolled_back.append(label)
            except Exception as error:
                self.result.rolled_back.append(f"{label}: could NOT be restored ({error})")
            self.result.log.append(f"rolled back: {self.result.rolled_back[-1]}")


def _write_files(plan: RedisPlan) -> list[Path]:
    """Write what the server will read; returns the files this run created. A folder that
    cannot be written is one clear error, with what was already written removed again."""
    created: list[Path] = []
    for planned in plan.files:
        try:
            planned.path.parent.mkdir(parents=True, exist_ok=True)
            if planned.path.exists() and planned.path.read_bytes() == planned.data:
                continue
            write_atomic(planned.path, planned.data, planned.mode)
        except OSError as error:
            for path in created:
                path.unlink(missing_ok=True)
            raise WizardError(
                f"cannot write {planned.path} ({error.strerror or error}); nothing was "
                "applied. Choose a folder you can write with --tls-dir"
            ) from None
        created.append(planned.path)
    return created


def apply_plan(
    plan: RedisPlan,
    admin: AdminConnection,
    *,
    proxy_pem: str,
    dry_run: bool = False,
    rewrite: bool = False,
    link_timeout: float = LINK_TIMEOUT,
    progress: Callable[[str], None] | None = None,
) -> ApplyResult:
    """Compare `plan` with the server at `admin.url` and, unless a dry run, apply it.

    Refusals before anything changed raise WizardError; a failure after the server was
    changed is rolled back and reported in the result (`ok` False, `error` says why).
    """
    say = progress or (lambda _message: None)
    result = ApplyResult(plan.database, admin.safe_url, dry_run=dry_run)
    result.not_enforced = [(n.setting, n.detail) for n in plan.not_enforced]
    result.notes = list(plan.notes)
    say(f"connecting to {admin.safe_url}")
    client = connect(admin, proxy_pem)
    try:
        result.server, current = read_current(client)
        result.changes = compare(plan, current)
        if dry_run:
            return result
        if (
            plan.plain_port == 0
            and plan.tls_port
            and plan.enforce_client_auth
            and admin.credential is None
        ):
            raise WizardError(
                "applying closes the plaintext port and the server will require a client "
                "certificate, but none was given: pass --client-cert and --client-key of a "
                "client the database trusts, so apply can prove you can still connect"
            )
        say("writing certificate files")
        created = _write_files(plan)
        result.files = [str(f.path) for f in plan.files]
        applier = _Applier(client, plan, current, admin, result, link_timeout)
        say("applying")
        try:
            applier.run(rewrite)
        except (Exception, KeyboardInterrupt) as failure:
            # A refused step, a dropped connection or Ctrl-C: the server is never left
            # half-applied; what could not be restored is said in rolled_back.
            if isinstance(failure, StepFailed):
                result.error = str(failure)
            elif isinstance(failure, KeyboardInterrupt):
                result.error = "interrupted"
            else:
                result.error = f"unexpected failure: {explain(failure, admin.host, admin.port)}"
            say("rolling back")
            applier.rollback()
            for path in created:
                path.unlink(missing_ok=True)
            result.files = []
        return result
    finally:
        client.close()


def default_tls_dir(workspace: Workspace, database: str) -> Path:
    """tls/DATABASE beside the state file: one folder per database, next to its keys."""
    return workspace.folder / "tls" / database


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
    progress: Callable[[str], None] | None = None,
) -> ApplyResult:
    """The whole `apply redis` step, as the CLI and the Apply screen both run it."""
    check_url(admin.url)
    folder = Path(tls_dir) if tls_dir else default_tls_dir(workspace, name)
    if not folder.is_absolute():
        folder = workspace.folder / folder
    plan = build_plan(workspace.state, name, folder, workspace.read_key, tls_port=tls_port)
    return apply_plan(
        plan,
        admin,
        proxy_pem=certificate_pem(workspace.state, "proxy"),
        dry_run=dry_run,
        rewrite=rewrite,
        link_timeout=link_timeout,
        progress=progress,
    )
