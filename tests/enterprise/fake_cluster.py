"""A stand-in for a Redis Enterprise REST API: real HTTPS on 127.0.0.1, documented schema.

It behaves as the documentation says a cluster of `version` does: it refuses a minimum TLS
version that version does not have (1 and 1.1 from 7.4.2, 1.3 before it), fields it does
not know (`authorized_subjects` before 6.4.2) and `PUT /v1/cluster/certificates` before
7.22. It checks every request body against the documented field names, values and shapes
and records what it finds wrong; a database change is answered with the bdb object and an
`action_uid` whose action (`GET /v1/actions/<uid>`) goes through `action_steps` and then
completes or fails; and it answers with the documented errors when a test asks it to.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization

BDB_TLS_FIELDS = {
    "tls_mode": ("enabled", "replica_ssl", "disabled"),
    "enforce_client_authentication": ("enabled", "disabled"),
    "client_cert_subject_validation_type": ("disabled", "san_cn", "full_subject"),
}
BDB_CERT_LISTS = ("authentication_ssl_client_certs", "authentication_ssl_crdt_certs")
SUBJECT_KEYS = {"CN", "O", "OU", "L", "ST", "C"}
SYNCER_SOURCE_FIELDS = {
    "uri": str,
    "encryption": bool,
    "server_cert": str,
    "client_cert": str,
    "client_key": str,
    "replication_tls_sni": str,
    "compression": int,
}
"""The writable fields of a syncer_sources object (REST API reference, objects/bdb/syncer_sources)."""
TLS_VERSIONS = ("1", "1.1", "1.2", "1.3")
LEGACY_BDB_FIELDS = {"authorized_names"}
SUBJECT_BDB_FIELDS = {"authorized_subjects", "client_cert_subject_validation_type"}


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("-")[0].split("."))


USER = "admin@example.com"
PASSWORD = "s3cret-Pa55word-never-shown"


@dataclass
class Received:
    method: str
    path: str
    query: str
    body: Any
    authorization: str


@dataclass
class FakeCluster:
    """The API's state: its databases, its user, what it received and what it refused."""

    user: str
    password: str
    uids: set[int] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    failures: dict[str, tuple[int, Any]] = field(default_factory=dict)
    failures_on_dry_run: set[str] = field(default_factory=set)
    url: str = ""
    version: str = "7.22.2"
    action_steps: list[dict[str, Any]] = field(
        default_factory=lambda: [{"status": "running", "progress": 40.0}]
    )
    action_end: dict[str, Any] = field(
        default_factory=lambda: {"status": "completed", "progress": 100.0}
    )
    actions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    polls: list[str] = field(default_factory=list)

    def at_least(self, boundary: tuple[int, ...]) -> bool:
        return version_tuple(self.version) >= boundary

    def start_action(self, uid: int) -> str:
        """A new action for a database change: `action_steps`, then `action_end`."""
        action_uid = f"00000000-0000-4000-8000-{len(self.actions) + 1:012d}"
        self.actions[action_uid] = [
            {"action_uid": action_uid, "name": "SMUpdateBDB", "object_name": f"bdb:{uid}", **step}
            for step in [*self.action_steps, self.action_end]
        ]
        return action_uid

    def look(self, action_uid: str) -> dict[str, Any] | None:
        """The action's next state; the last one repeats once reached."""
        self.polls.append(action_uid)
        steps = self.actions.get(action_uid)
        if steps is None:
            return None
        return steps.pop(0) if len(steps) > 1 else steps[0]

    def refusal(self, path: str, body: Any) -> tuple[int, Any] | None:
        """What a cluster of `version` refuses outright (400/404), before any failure a
        test asked for."""
        if path == "/v1/cluster" and isinstance(body, dict):
            value = body.get("min_data_TLS_version")
            allowed = ("1.2", "1.3") if self.at_least((7, 4, 2)) else ("1", "1.1", "1.2")
            if value is not None and value not in allowed:
                self.violations.append(f"min_data_TLS_version {value!r} on {self.version}")
                return 400, {"message": f"min_data_TLS_version {value!r} is not supported"}
        if path == "/v1/cluster/certificates" and not self.at_least((7, 22)):
            self.violations.append(f"PUT /v1/cluster/certificates on {self.version}")
            return 404, {"message": "not found"}
        if path.startswith("/v1/bdbs/") and isinstance(body, dict):
            unknown = SUBJECT_BDB_FIELDS if not self.at_least((6, 4, 2)) else set()
            if set(body) & unknown:
                self.violations.append(f"{sorted(set(body) & unknown)} on {self.version}")
                return 400, {"error_code": "invalid_schema", "message": "unknown field"}
        return None

    def fail(
        self,
        path: str,
        status: int,
        error_code: str | None = None,
        message: str = "",
        *,
        on_dry_run: bool = True,
    ):
        """Answer requests to `path` with `status` (and the documented error body); with
        `on_dry_run=False` only the change itself fails (a cluster that became busy)."""
        body = (
            {"error_code": error_code, "message": message} if error_code else {"message": message}
        )
        self.failures[path] = (status, body)
        if on_dry_run:
            self.failures_on_dry_run.add(path)
        else:
            self.failures_on_dry_run.discard(path)

    def check_bdb(self, body: Any) -> None:
        if not isinstance(body, dict):
            self.violations.append(f"bdb body is not an object: {body!r}")
            return
        known = {
            *BDB_TLS_FIELDS,
            *BDB_CERT_LISTS,
            "authorized_names",
            "authorized_subjects",
            "replica_sources",
        }
        for key in set(body) - known:
            self.violations.append(f"unknown bdb field {key!r}")
        for key, values in BDB_TLS_FIELDS.items():
            if key in body and body[key] not in values:
                self.violations.append(f"{key}: {body[key]!r} is not one of {values}")
        for key in BDB_CERT_LISTS:
            for entry in body.get(key, []):
                if set(entry) != {"client_cert"}:
                    self.violations.append(f"{key}: entry keys {sorted(entry)}")
                    continue
                try:
                    x509.load_pem_x509_certificates(entry["client_cert"].encode())
                except ValueError:
                    self.violations.append(f"{key}: client_cert is not a PEM certificate")
        for subject in body.get("authorized_subjects", []):
            if not isinstance(subject.get("CN"), str) or set(subject) - SUBJECT_KEYS:
                self.violations.append(f"authorized_subjects: bad subject {subject!r}")
            if "OU" in subject and not (
                isinstance(subject["OU"], list) and all(isinstance(u, str) for u in subject["OU"])
            ):
                self.violations.append("authorized_subjects: OU must be an array of strings")
        for source in body.get("replica_sources", []):
            self.check_syncer_source(source)
        names = body.get("authorized_names", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.violations.append("authorized_names must be an array of strings")
        certs = [e for key in BDB_CERT_LISTS for e in body.get(key, [])]
        if body.get("enforce_client_authentication") == "enabled":
            if not certs:
                self.violations.append(
                    "enforce_client_authentication enabled without a certificate"
                )
            if body.get("tls_mode") == "disabled":
                self.violations.append("enforce_client_authentication enabled with TLS off")
        if "authorized_names" in body and SUBJECT_BDB_FIELDS & set(body):
            self.violations.append("authorized_names mixed with the 6.4.2 subject fields")

    def check_syncer_source(self, source: Any) -> None:
        if not isinstance(source, dict) or not isinstance(source.get("uri"), str):
            self.violations.append(f"replica_sources: not a syncer_sources object: {source!r}")
            return
        for key, value in source.items():
            kind = SYNCER_SOURCE_FIELDS.get(key)
            if kind is None or not isinstance(value, kind):
                self.violations.append(f"replica_sources: bad field {key}={value!r}")
        if not urlsplit(source["uri"]).port:
            self.violations.append(f"replica_sources: uri {source['uri']!r} has no port")
        for key in ("server_cert", "client_cert"):
            if key in source:
                try:
                    x509.load_pem_x509_certificates(source[key].encode())
                except ValueError:
                    self.violations.append(f"replica_sources: {key} is not a PEM certificate")
        if source.get("encryption") and "server_cert" not in source:
            self.violations.append("replica_sources: encryption without server_cert")

    def check_update_cert(self, body: Any) -> None:
        if not isinstance(body, dict) or set(body) != {"name", "certificate", "key"}:
            self.violations.append(
                f"update_cert keys: {sorted(body) if isinstance(body, dict) else body!r}"
            )
            return
        if body["name"] not in ("proxy", "syncer"):
            self.violations.append(f"update_cert name {body['name']!r}")
        try:
            certificate = x509.load_pem_x509_certificates(body["certificate"].encode())[0]
            key = serialization.load_pem_private_key(body["key"].encode(), password=None)
        except ValueError as error:
            self.violations.append(f"update_cert: unreadable certificate or key ({error})")
            return
        if key.public_key().public_numbers() != certificate.public_key().public_numbers():
            self.violations.append("update_cert: the key does not match the certificate")

    def check_certificates(self, body: Any) -> None:
        """`PUT /v1/cluster/certificates`: `{"certificates": [update_cert bodies]}`."""
        if not isinstance(body, dict) or set(body) != {"certificates"}:
            self.violations.append(f"certificates body keys: {body!r}"[:200])
            return
        for entry in body["certificates"]:
            self.check_update_cert(entry)

    def check_cluster(self, body: Any) -> None:
        if not isinstance(body, dict) or set(body) != {"min_data_TLS_version"}:
            self.violations.append(f"cluster body {body!r}")
        elif body["min_data_TLS_version"] not in TLS_VERSIONS:
            self.violations.append(f"min_data_TLS_version {body['min_data_TLS_version']!r}")


def _handler(cluster: FakeCluster) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{cluster.user}:{cluster.password}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read `received` instead."""

        def answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_PUT(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
            auth = self.headers.get("Authorization", "")
            cluster.received.append(Received("PUT", parts.path, parts.query, body, auth))
            if self.headers.get("Content-Type") != "application/json":
                cluster.violations.append(f"Content-Type {self.headers.get('Content-Type')!r}")
            if auth != expected:
                self.answer(401, {"message": "Unauthorized"})
                return
            if parts.path.startswith("/v1/bdbs/"):
                cluster.check_bdb(body)
                uid = parts.path.rsplit("/", 1)[1]
                if not uid.isdigit() or int(uid) not in cluster.uids:
                    self.answer(404, {"error_code": "db_not_exist", "message": "no such bdb"})
                    return
            elif parts.path == "/v1/cluster/update_cert":
                cluster.check_update_cert(body)
            elif parts.path == "/v1/cluster/certificates":
                cluster.check_certificates(body)
            elif parts.path == "/v1/cluster":
                cluster.check_cluster(body)
            else:
                cluster.violations.append(f"unknown path {parts.path}")
                self.answer(404, {"message": "not found"})
                return
            refused = cluster.refusal(parts.path, body)
            if refused is not None:
                self.answer(*refused)
                return
            dry_run = parts.query == "dry_run"
            if parts.path in cluster.failures and (
                not dry_run or parts.path in cluster.failures_on_dry_run
            ):
                self.answer(*cluster.failures[parts.path])
                return
            if parts.path.startswith("/v1/bdbs/"):
                uid = int(parts.path.rsplit("/", 1)[1])
                answer = {"uid": uid, **body}
                if parts.query != "dry_run":
                    answer["action_uid"] = cluster.start_action(uid)
                self.answer(200, answer)
                return
            self.answer(200, {})

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            auth = self.headers.get("Authorization", "")
            cluster.received.append(Received("GET", parts.path, parts.query, None, auth))
            if auth != expected:
                self.answer(401, {"message": "Unauthorized"})
                return
            if parts.path.startswith("/v1/actions/"):
                state = cluster.look(parts.path.rsplit("/", 1)[1])
                if state is None:
                    self.answer(404, {"message": "action does not exist"})
                else:
                    self.answer(200, state)
                return
            cluster.violations.append(f"unexpected GET {parts.path}")
            self.answer(404, {"message": "not found"})

    return Handler


class ServedCluster:
    """Runs a FakeCluster over HTTPS on 127.0.0.1 (an ephemeral port) in a thread."""

    def __init__(self, cluster: FakeCluster, cert_file: Path, key_file: Path) -> None:
        self.cluster = cluster
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(cluster))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        cluster.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FakeCluster:
        self.thread.start()
        return self.cluster

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
