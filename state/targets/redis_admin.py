"""The admin connection to a live redis-server: where it is, how to log in, how to reach it.

The password never travels in the URL (every user sees a command line in `ps`, and URLs
end up in error messages): it comes from `REDISCLI_AUTH`, as redis-cli reads it, from a
file only its owner can read, or from a prompt. After a failure the server may listen on
other ports than the ones apply started with, so `reach` tries every place it can be.
"""

from __future__ import annotations

import os
import ssl
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import WizardError
from ..files import FileReadError, read_bounded
from .probe import ClientCredential, explain

PASSWORD_ENV = "REDISCLI_AUTH"
"""The variable redis-cli reads its password from; apply reads the same one."""

PASSWORD_ADVICE = (
    f"put it in the {PASSWORD_ENV} environment variable, in a file only you can read "
    "(--password-file FILE, mode 0600), or type it (--ask-password)"
)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One place the server may answer: a port, with or without TLS."""

    port: int
    tls: bool

    def url(self, host: str) -> str:
        return f"{'rediss' if self.tls else 'redis'}://{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class AdminConnection:
    """How to reach the server: a redis:// or rediss:// URL without password, the password
    apart (never shown), and for TLS the client certificate and the CA to verify with."""

    url: str
    credential: ClientCredential | None = None
    ca_pem: str = ""
    password: str | None = None
    timeout: float = 5.0

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
    def username(self) -> str | None:
        return self.parts.username or None

    @property
    def uses_tls(self) -> bool:
        return self.parts.scheme == "rediss"

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(self.port, self.uses_tls)

    @property
    def safe_url(self) -> str:
        """The URL without any password (check_url refuses one; this is the second guard)."""
        parts = self.parts
        if parts.password is None:
            return self.url
        user = parts.username or ""
        netloc = f"{user}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))

    def at(self, endpoint: Endpoint) -> AdminConnection:
        """The same login at another port (after apply moved the listeners)."""
        user = f"{self.username}@" if self.username else ""
        scheme = "rediss" if endpoint.tls else "redis"
        return replace(self, url=f"{scheme}://{user}{self.host}:{endpoint.port}")


def check_url(url: str) -> None:
    """Refuse what is not redis://HOST:PORT or rediss://HOST:PORT, with the fix in the
    message; a password in it is refused without ever repeating the URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
        password = parts.password
    except ValueError as error:
        raise WizardError(f"--url is not a valid URL ({error})") from None
    if password is not None:
        raise WizardError(
            "--url holds a password, which every user on this machine can read in the "
            f"process list: remove it from the URL and {PASSWORD_ADVICE}"
        )
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise WizardError(
            f"--url {url!r} must look like redis://HOST:PORT (plaintext) or "
            "rediss://HOST:PORT (TLS, with --client-cert/--client-key/--ca)"
        )
    if port is not None and not 1 <= port <= 65535:
        raise WizardError(f"--url {url!r}: port {port} is not a port (1-65535)")


def read_password_file(path: str | Path) -> str:
    """The first line of a file only its owner may read (as ssh does with keys)."""
    file = Path(path).expanduser()
    try:
        mode = file.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise WizardError(
                f"--password-file {file} can be read by others (mode {stat.S_IMODE(mode):04o}); "
                f"make it private first: chmod 600 {file}"
            )
        text = read_bounded(file, limit=4096, what="password file").decode("utf-8")
    except FileReadError as error:
        raise WizardError(f"--password-file {error}") from None
    except OSError as error:
        raise WizardError(f"--password-file {file}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise WizardError(f"--password-file {file} is not UTF-8 text") from None
    password = text.splitlines()[0] if text else ""
    if not password:
        raise WizardError(f"--password-file {file} is empty; its first line is the password")
    return password


def password_from_environment() -> str | None:
    return os.environ.get(PASSWORD_ENV) or None


def mask(text: str, password: str | None) -> str:
    """`text` with every occurrence of the password replaced (a server may echo input)."""
    return text.replace(password, "***") if password else text


def _options(admin: AdminConnection, proxy_pem: str) -> dict[str, Any]:
    if not admin.uses_tls:
        return {}
    options: dict[str, Any] = {
        "ssl_ca_data": admin.ca_pem or proxy_pem,
        "ssl_check_hostname": False,
        "ssl_include_verify_flags": [ssl.VerifyFlags.VERIFY_X509_PARTIAL_CHAIN],
    }
    if admin.credential is not None:
        options["ssl_certfile"] = str(admin.credential.certificate)
        options["ssl_keyfile"] = str(admin.credential.key)
    return options


def open_client(admin: AdminConnection, proxy_pem: str, timeout: float | None = None):
    """One held redis-py connection that has answered PING; raises redis errors as is."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    wait = admin.timeout if timeout is None else timeout
    client = redis.Redis.from_url(
        admin.url,
        password=admin.password,
        single_connection_client=True,
        socket_timeout=wait,
        socket_connect_timeout=wait,
        retry=Retry(NoBackoff(), 0),
        decode_responses=True,
        **_options(admin, proxy_pem),
    )
    try:
        client.ping()
    except BaseException:
        client.close()
        raise
    return client


def connect(admin: AdminConnection, proxy_pem: str):
    """The admin connection, or one clear WizardError saying what to fix."""
    import redis

    check_url(admin.url)
    try:
        return open_client(admin, proxy_pem)
    except redis.AuthenticationError as error:
        given = "the password" if admin.password else "no password"
        raise WizardError(
            f"{admin.safe_url} refused {given} ({mask(str(error), admin.password)}); "
            + PASSWORD_ADVICE
        ) from None
    except redis.RedisError as error:
        hint = (
            "check the host and port; for a TLS port use rediss:// with --client-cert, "
            "--client-key and --ca"
            if not admin.uses_tls
            else "check the port, and that --client-cert/--client-key are trusted by the "
            "server and --ca (default: the cluster's proxy certificate) issued its certificate"
        )
        reason = mask(explain(error, admin.host, admin.port), admin.password)
        raise WizardError(f"cannot connect to {admin.safe_url}: {reason}; {hint}") from None


def reach(admin: AdminConnection, proxy_pem: str, endpoints: list[Endpoint], timeout: float):
    """The first endpoint that answers PING as this admin, and its client; (None, None) when
    none does. Each is tried in turn with `timeout`: a server busy with a slow command
    answers once it is done."""
    import redis

    seen: set[Endpoint] = set()
    for endpoint in endpoints:
        if endpoint in seen or not endpoint.port:
            continue
        seen.add(endpoint)
        try:
            return endpoint, open_client(admin.at(endpoint), proxy_pem, timeout)
        except (redis.RedisError, OSError, ValueError):
            continue
    return None, None
