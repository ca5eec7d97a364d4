"""Run `tls-wizard` with faults injected around the Redis client, for the fault tests.

A wrapper around redis-py's connection (not a fake server: the real redis-server answers
every command) counts the commands the process sends and, at the chosen one, injects a
fault. TLS_WIZARD_FAULT selects it:

  count                 write the commands sent (a JSON list of names) to FAULT_COUNT_FILE
  after:N:SIGNAL        send SIGNAL (KILL, TERM, INT, HUP) to this process once the
                        answer to command N was read
  during:N:SIGNAL       make the server hold commands (CLIENT PAUSE over FAULT_SOCKET)
                        just before command N, and send SIGNAL while command N waits for
                        its answer
  slow:CONFIG-SET-K:S   hold commands S seconds just before the K-th CONFIG SET
  server-kill:N         SIGKILL the redis-server (FAULT_SERVER_PID) once command N answered

Usage: python fault_runner.py TLS-WIZARD-ARGS...
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import sys
import threading

import redis
from redis.connection import AbstractConnection

from state.cli import main

FAULT = os.environ.get("TLS_WIZARD_FAULT", "count")
KIND, _, REST = FAULT.partition(":")
_original_send = AbstractConnection.send_command
_original_read = AbstractConnection.read_response
_sent = {"all": 0, "config-set": 0}
_names: list[str] = []
_local = threading.local()


def _signal(name: str) -> signal.Signals:
    return getattr(signal, f"SIG{name}")


def _busy(seconds: float) -> None:
    """Hold every client's commands for `seconds` (CLIENT PAUSE ALL, sent on a side
    connection over the server's unix socket, open whatever the TCP ports do). The server's
    OK means the pause is in force, so the next command surely waits: no guess at when the
    server got round to it, however loaded the machine."""
    _local.bypass = True
    try:
        side = redis.Redis(
            unix_socket_path=os.environ["FAULT_SOCKET"], single_connection_client=True
        )
        side.execute_command("CLIENT", "PAUSE", str(round(seconds * 1000)), "ALL")
        _local.keep = side  # closing it early is fine too; kept to be deterministic
    finally:
        _local.bypass = False


def send_command(self, *args, **kwargs):
    if getattr(_local, "bypass", False):
        return _original_send(self, *args, **kwargs)
    _sent["all"] += 1
    _names.append(" ".join(str(a) for a in args[:2]).upper())
    number = _sent["all"]
    is_config_set = [str(a).upper() for a in args[:2]] == ["CONFIG", "SET"]
    if is_config_set:
        _sent["config-set"] += 1
    if KIND == "during" and number == int(REST.split(":")[0]):
        _busy(2)
        victim = _signal(REST.split(":")[1])
        threading.Timer(0.5, os.kill, (os.getpid(), victim)).start()
    if KIND == "slow" and is_config_set:
        which, seconds = REST.split(":")
        if _sent["config-set"] == int(which):
            _busy(float(seconds))
    return _original_send(self, *args, **kwargs)


def read_response(self, *args, **kwargs):
    try:
        return _original_read(self, *args, **kwargs)
    finally:
        if not getattr(_local, "bypass", False):
            _after(_sent["all"])


def _after(number: int) -> None:
    if KIND == "after":
        which, name = REST.split(":")
        if number == int(which) and not getattr(_local, "fired", False):
            _local.fired = True
            os.kill(os.getpid(), _signal(name))
    if KIND == "server-kill" and number == int(REST) and not getattr(_local, "fired", False):
        _local.fired = True
        os.kill(int(os.environ["FAULT_SERVER_PID"]), signal.SIGKILL)


def _write_count() -> None:
    with open(os.environ["FAULT_COUNT_FILE"], "w") as handle:
        json.dump(_names, handle)


AbstractConnection.send_command = send_command
AbstractConnection.read_response = read_response
if KIND == "count":
    atexit.register(_write_count)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
