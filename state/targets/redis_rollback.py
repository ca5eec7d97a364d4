"""Back to the values read before apply started, proven by reading them again.

The rollback never trusts its own commands: it reads what the server shows (after
reconnecting wherever the server may now answer), sets back what differs in one ordered
CONFIG SET, and reads again. Only that last read decides between "rolled back" and
"NOT rolled back", and it is what the report shows.
"""

from __future__ import annotations

import time

from .probe import explain
from .redis_admin import Endpoint, reach
from .redis_plan import MANAGED_SETTINGS, RedisPlan
from .redis_session import (
    Session,
    describe_listeners,
    listeners,
    ordered_config_args,
    reach_text,
    read_settings,
    shown,
)


class Rollback:
    """Back to the values read before apply started, proven by reading them again."""

    def __init__(self, session: Session, plan: RedisPlan, original: dict[str, str]) -> None:
        self.session = session
        self.plan = plan
        self.original = {k: v for k, v in original.items() if k in (*MANAGED_SETTINGS, "replicaof")}
        self.result = session.result

    def _say(self, text: str) -> None:
        self.result.rolled_back.append(text)
        self.result.log.append(f"rolled back: {text}")

    def _candidates(self, last_seen: dict[str, str]) -> list[Endpoint]:
        """Every port the server may answer on: the admin's, then what each state opens."""
        found = [self.session.admin.endpoint]
        for settings in (last_seen, self.plan.settings, self.original):
            found.extend(listeners(settings))
        return found

    def _connection(self, last_seen: dict[str, str]):
        """The held connection if it still answers, else a new one wherever the server is."""
        session = self.session
        if session.client is not None:
            try:
                session.client.ping()
                return session.client
            except Exception:
                session.client.close()
                session.client = None
        deadline = time.monotonic() + session.recover_timeout
        while time.monotonic() < deadline:
            endpoint, client = reach(
                session.admin, session.proxy_pem, self._candidates(last_seen), session.admin.timeout
            )
            if client is not None:
                self.result.log.append(f"reconnected: {endpoint.url(session.admin.host)}")
                session.client = client
                return client
            time.sleep(0.2)
        return None

    def run(self, last_seen: dict[str, str], rewrite_sent: bool) -> None:
        """Restore, then verify; sets outcome, final and reach to what is true."""
        import redis

        deadline = time.monotonic() + self.session.recover_timeout
        while time.monotonic() < deadline:
            client = self._connection(last_seen)
            if client is None:
                break
            try:
                actual = read_settings(client)
                back = {
                    k: v for k, v in self.original.items() if k != "replicaof" and actual[k] != v
                }
                if back:
                    client.execute_command("CONFIG", "SET", *ordered_config_args(back, actual))
                    self._say(
                        ", ".join(f"{k} {shown(actual[k])} -> {shown(v)}" for k, v in back.items())
                    )
                if actual["replicaof"] != self.original["replicaof"]:
                    client.execute_command("REPLICAOF", *self.original["replicaof"].split())
                    self._say(f"Replica Of {actual['replicaof']} -> {self.original['replicaof']}")
                if rewrite_sent:
                    client.config_rewrite()
                    self._say("CONFIG REWRITE (the config file holds the previous values again)")
                final = read_settings(client)
            except redis.ResponseError as error:
                final = read_settings(client)
                self._finish(final, f"the server refused to restore ({error})")
                return
            except (redis.RedisError, OSError) as error:
                last_seen = {}
                self.result.log.append(f"rollback: {explain(error)}; trying again")
                continue
            self._finish(final, "")
            return
        self._unreachable(last_seen)

    def _finish(self, final: dict[str, str], refused: str) -> None:
        self.result.final = {k: v for k, v in final.items()}
        wrong = [k for k, v in self.original.items() if final.get(k) != v]
        admin = self.session.admin
        self.result.reach = reach_text(admin, final)
        if not wrong:
            self.result.outcome = "rolled-back"
            self.result.log.append(
                f"checked: CONFIG GET shows every setting as before apply: "
                f"{describe_listeners(final)}; reach it at {self.result.reach}"
            )
            return
        self.result.outcome = "not-restored"
        detail = "; ".join(f"{k} is {shown(final.get(k, '?'))}" for k in wrong)
        self.result.error += f"; NOT rolled back: {refused or 'settings differ'}: {detail}"

    def _unreachable(self, last_seen: dict[str, str]) -> None:
        tried = ", ".join(
            e.url(self.session.admin.host) for e in dict.fromkeys(self._candidates(last_seen))
        )
        self.result.outcome = "not-restored"
        self.result.error += (
            f"; NOT rolled back: the server answered on none of {tried} within "
            f"{self.session.recover_timeout:g} s (is it running?). Nothing was restored or "
            "checked; a restarted server reads its config file"
            + (
                ", which apply had rewritten"
                if self.result.rewritten
                else ", which apply did not change"
            )
        )
