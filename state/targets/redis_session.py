"""One apply's connection to the server: commands that are waited for, signals that are
recorded, and how the managed settings are read, ordered and described.

Shared by the steps (redis_apply) and the rollback (redis_rollback): both must know what
the server did with every command they sent, even a late one, and both report the same
listeners and the same way in.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .probe import explain
from .redis_admin import AdminConnection, Endpoint
from .redis_plan import MANAGED_SETTINGS, NO_REPLICATION

if TYPE_CHECKING:
    from .redis_apply import ApplyResult

RECOVER_TIMEOUT = 30.0
"""How long a rollback waits for a slow server to answer the command in flight, or for the
server to answer again on one of its ports."""

SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


class StepFailed(Exception):
    """A step failed after the server may have changed: everything gets rolled back."""


class Interrupted(StepFailed):
    """A signal arrived: the step in flight was finished first."""


def read_settings(client) -> dict[str, Any]:
    """CONFIG GET of every managed setting, and the replication source from INFO."""
    values = client.config_get("tls-*")
    values.update(client.config_get("port"))
    current: dict[str, Any] = {key: values.get(key) for key in MANAGED_SETTINGS}
    if current["tls-port"] is None:
        return current
    current = {key: str(value or "") for key, value in current.items()}
    replication = client.info("replication")
    if replication.get("role") == "slave":
        current["replicaof"] = f"{replication['master_host']} {replication['master_port']}"
    else:
        current["replicaof"] = NO_REPLICATION
    return current


def ordered_config_args(values: dict[str, str], current: dict[str, str]) -> list[str]:
    """CONFIG SET arguments in the order Redis must run their effects: TLS files first (the
    context is built before a TLS port uses it), then the port that frees a number before
    the one that takes it (Redis runs them in argument order)."""
    keys = [key for key in values if key not in ("port", "tls-port")]
    ports = [key for key in ("port", "tls-port") if key in values]
    frees = values.get("port") not in (None, "0") and values["port"] == current.get("tls-port")
    if ports == ["port", "tls-port"] and frees:
        ports.reverse()
    return [part for key in keys + ports for part in (key, values[key])]


def shown(value: str) -> str:
    return repr(value) if value == "" else value


def listeners(settings: dict[str, str]) -> list[Endpoint]:
    """The ports the settings open: TLS first, then plaintext."""
    found = []
    if settings.get("tls-port", "0") not in ("", "0"):
        found.append(Endpoint(int(settings["tls-port"]), True))
    if settings.get("port", "0") not in ("", "0"):
        found.append(Endpoint(int(settings["port"]), False))
    return found


def describe_listeners(settings: dict[str, str]) -> str:
    tls, plain = settings.get("tls-port", "?"), settings.get("port", "?")
    return (
        f"port {plain} ({'closed' if plain == '0' else 'plaintext'}), "
        f"tls-port {tls} ({'closed' if tls == '0' else 'TLS'})"
    )


def reach_text(admin: AdminConnection, settings: dict[str, str]) -> str:
    """How the admin reaches a server with these settings: the URL it answers on."""
    ports = listeners(settings)
    if not ports:
        return "no port is open (only the connections already made remain)"
    preferred = admin.endpoint if admin.endpoint in ports else ports[0]
    with_cert = " with your client certificate" if preferred.tls and admin.credential else ""
    return f"{preferred.url(admin.host)}{with_cert}"


class SignalGuard:
    """While apply changes the server, INT, TERM and HUP are recorded instead of ending the
    process: the step in flight finishes and everything is rolled back. Only the main
    thread can own signal handlers; elsewhere (the screens' worker) this records nothing."""

    def __init__(self) -> None:
        self.received: str = ""
        self.previous: dict[int, Any] = {}

    def _record(self, number: int, _frame) -> None:
        if not self.received:
            self.received = signal.Signals(number).name

    @contextmanager
    def installed(self) -> Iterator[SignalGuard]:
        if threading.current_thread() is threading.main_thread():
            for name in SIGNALS:
                number = getattr(signal, name)
                self.previous[number] = signal.signal(number, self._record)
        try:
            yield self
        finally:
            for number, handler in self.previous.items():
                signal.signal(number, handler)

    def check(self) -> None:
        if self.received:
            raise Interrupted(f"interrupted by {self.received}")


@dataclass(slots=True)
class Session:
    """What one apply needs on every step: the admin login, the held connection, the
    result being written, and the patience for a slow server."""

    admin: AdminConnection
    client: Any
    result: ApplyResult
    proxy_pem: str
    guard: SignalGuard
    recover_timeout: float = RECOVER_TIMEOUT

    def call(self, *args: str):
        """One command on the held connection. An answer later than the admin timeout is a
        failure, but the answer is still awaited (up to the recover timeout), so what the
        server did is known before the rollback; a signal waits for it the same way."""
        import redis

        try:
            return self._call(*args)
        except (redis.ConnectionError, OSError) as error:
            raise StepFailed(
                f"{' '.join(args[:2])}: the connection to the server was lost "
                f"({explain(error, self.admin.host, self.admin.port)})"
            ) from None

    def _call(self, *args: str):
        connection = self.client.connection
        connection.send_command(*args)
        started = time.monotonic()
        late = False
        while not connection.can_read(timeout=0.05):
            waited = time.monotonic() - started
            if waited > self.admin.timeout and not late:
                late = True
                self.result.log.append(
                    f"waiting: {args[0]} {args[1] if len(args) > 1 else ''} has no answer "
                    f"after {self.admin.timeout:g} s; waiting for it before rolling back"
                )
            if waited > self.admin.timeout + self.recover_timeout:
                connection.disconnect()
                raise StepFailed(
                    f"{' '.join(args[:2])}: no answer within "
                    f"{self.admin.timeout + self.recover_timeout:g} s"
                )
        answer = connection.read_response()
        if late:
            raise StepFailed(
                f"{' '.join(args[:2])}: the server took {time.monotonic() - started:.1f} s, "
                f"more than the {self.admin.timeout:g} s allowed (--timeout)"
            )
        return answer
