"""``SendOptions``: what sending needs to know, read from the settings with safe defaults.

The deliver settings live in ``config.py`` (owned by the subscriber side); sending reads the ones it
needs through this small dataclass, so it works before every key exists there. Each field is read
from ``Settings.deliver_<field>`` when that attribute exists, else from the environment variable
``EURASIAWATCH_DELIVER__<FIELD>``, else the default below. Secrets (SMTP password) come only from the
environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import ConfigError

__all__ = ["Relay", "SendOptions", "parse_relays"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Relay:
    """One SMTP relay: where, how securely, how much of the traffic and how fast."""

    host: str
    port: int = 25
    tls: str = "none"  # none | starttls | tls (implicit TLS, usually port 465)
    username: str | None = None
    password: str | None = None
    weight: float = 1.0
    connections: int = 4
    rate: float = 0.0  # messages per second; 0 = unlimited
    timeout: float = 30.0

    @property
    def name(self) -> str:
        """``host:port``, used in logs and the ledger."""
        return f"{self.host}:{self.port}"


def parse_relays(spec: str, environ: Mapping[str, str] | None = None) -> tuple[Relay, ...]:
    """Parse ``smtp://user@host:port?weight=2&connections=4&rate=50, smtps://host`` (comma-separated).

    ``smtp://`` is plain (``?tls=starttls`` to upgrade), ``smtps://`` implicit TLS. The password is
    never in the URL: it comes from ``EURASIAWATCH_DELIVER__SMTP_PASSWORD`` (one for all relays) or
    ``EURASIAWATCH_DELIVER__SMTP_PASSWORD_<N>`` (the N-th relay, from 1).

    Raises:
        ConfigError: a relay URL is malformed.
    """
    env = os.environ if environ is None else environ
    relays = []
    for n, item in enumerate((s.strip() for s in spec.split(",") if s.strip()), start=1):
        parts = urlsplit(item)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(f"deliver.relays: {item!r} is not smtp://host[:port] or smtps://host[:port]")
        if parts.password:
            raise ConfigError("deliver.relays: put SMTP passwords in EURASIAWATCH_DELIVER__SMTP_PASSWORD")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        tls = "tls" if parts.scheme == "smtps" else query.get("tls", "none")
        if tls not in ("none", "starttls", "tls"):
            raise ConfigError(f"deliver.relays: tls={tls!r} in {item!r} is not none, starttls or tls")
        try:
            relays.append(
                Relay(
                    host=parts.hostname,
                    port=parts.port or (465 if tls == "tls" else 25),
                    tls=tls,
                    username=unquote(parts.username) if parts.username else None,
                    password=env.get(f"EURASIAWATCH_DELIVER__SMTP_PASSWORD_{n}")
                    or env.get("EURASIAWATCH_DELIVER__SMTP_PASSWORD"),
                    weight=float(query.get("weight", 1)),
                    connections=int(query.get("connections", 4)),
                    rate=float(query.get("rate", 0)),
                    timeout=float(query.get("timeout", 30)),
                )
            )
        except ValueError as exc:
            raise ConfigError(f"deliver.relays: bad number in {item!r}: {exc}") from exc
    return tuple(relays)


@dataclass(frozen=True, slots=True, kw_only=True)
class SendOptions:
    """Everything ``send_edition`` and the message builder need besides the edition and recipients."""

    from_address: str = "briefing@eurasiawatch.example"
    from_name: str = "China In Eurasia"
    list_id: str = "China In Eurasia <briefing.eurasiawatch.example>"
    # {token} is the subscriber's opaque token; never an address or a database id
    unsubscribe_url: str = "https://eurasiawatch.example/unsubscribe/{token}"
    unsubscribe_mailto: str = "unsubscribe+{token}@eurasiawatch.example"
    # VERP: {verp} is a random per-delivery tag that the ledger maps back to the subscriber's token
    bounce_address: str = "bounces+{verp}@eurasiawatch.example"
    relays: tuple[Relay, ...] = (Relay(host="127.0.0.1", port=25),)
    concurrency: int = 8
    domain_rate: float = 0.0  # messages per second to one destination domain; 0 = unlimited
    max_attempts: int = 5
    retry_base: float = 60.0  # seconds before the first retry of a 4xx; doubles each time
    lease_seconds: float = 60.0
    dkim_domain: str = ""
    dkim_selector: str = ""
    dkim_key_file: str = ""
    dkim_ed25519_selector: str = ""
    dkim_ed25519_key_file: str = ""
    editors: tuple[str, ...] = ()

    @property
    def domain(self) -> str:
        """The sending domain (for Message-IDs)."""
        return self.from_address.rpartition("@")[2]

    @classmethod
    def from_settings(cls, settings: object, environ: Mapping[str, str] | None = None) -> SendOptions:
        """Read ``deliver_*`` attributes of the settings, then ``EURASIAWATCH_DELIVER__*`` variables.

        Raises:
            ConfigError: a value has the wrong form (names the key and the value).
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = getattr(settings, f"deliver_{f.name}", None)
            if raw is None:
                raw = env.get(f"EURASIAWATCH_DELIVER__{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _coerce(f.name, raw, env)
        return replace(cls(), **values)


def _coerce(name: str, raw: Any, env: Mapping[str, str]) -> Any:
    default = getattr(SendOptions(), name)
    try:
        if name == "relays":
            return parse_relays(raw, env) if isinstance(raw, str) else tuple(raw)
        if name == "editors":
            return (
                tuple(a.strip() for a in raw.split(",") if a.strip()) if isinstance(raw, str) else tuple(raw)
            )
        if isinstance(default, bool):
            return str(raw).lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError as exc:
        raise ConfigError(f"deliver.{name} = {raw!r} is not valid: {exc}") from exc
    return str(raw)
