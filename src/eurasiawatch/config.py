"""Settings: packaged defaults, then a TOML file, then ``EURASIAWATCH_*`` environment variables.

Every setting is declared once in ``SPEC`` as (key, type, default, help). The dotted key names the
TOML table and field (``fetch.timeout`` is ``[fetch] timeout = 20``) and the environment variable
(``EURASIAWATCH_FETCH__TIMEOUT``, ``__`` for each dot). Secrets are read from the environment only,
so a config file can be shared or committed without leaking them. ``docs/config.md`` is generated
from ``SPEC`` (``eurasiawatch config docs``) and a test keeps it current.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["SPEC", "Setting", "Settings", "config_markdown", "load_settings"]

ENV_PREFIX = "EURASIAWATCH_"


@dataclass(frozen=True, slots=True)
class Setting:
    """The declaration of one setting."""

    key: str
    type: type
    default: Any
    help: str
    secret: bool = False

    @property
    def attr(self) -> str:
        """Attribute name on ``Settings``."""
        return self.key.replace(".", "_")

    @property
    def env(self) -> str:
        """Environment variable that overrides it."""
        return ENV_PREFIX + self.key.replace(".", "__").upper()


SPEC: tuple[Setting, ...] = (
    Setting("data_dir", str, "./ew-data", "Where the SQLite database, backups and rendered output live."),
    Setting(
        "cache_dir",
        str,
        "",
        "Where compiled copies of the knowledge base and the city index go, so a new process skips "
        "parsing and building them; empty "
        "means `$XDG_CACHE_HOME/eurasiawatch` (or `~/.cache/eurasiawatch`), `off` turns it off. Only the "
        "environment variable takes effect: the knowledge base is loaded where no settings are at hand.",
    ),
    Setting(
        "database_url",
        str,
        "",
        "SQLAlchemy URL of the database; empty means a SQLite file `eurasiawatch.db` in `data_dir`. "
        "PostgreSQL: `postgresql+psycopg://user@host/db`.",
        secret=True,
    ),
    Setting(
        "database_schema", str, "", "PostgreSQL schema to use (created on upgrade); empty for the default."
    ),
    Setting("log_level", str, "INFO", "Logging level: DEBUG, INFO, WARNING or ERROR."),
    Setting(
        "timezone", str, "Europe/Prague", "The newsroom's time zone, for schedules and dates shown to people."
    ),
    Setting(
        "fetch.user_agent",
        str,
        "eurasiawatch/0.1 (+https://github.com/eurasiawatch/eurasiawatch; news monitoring)",
        "User-Agent sent with every request; name the operator so site owners can reach you.",
    ),
    Setting(
        "fetch.timeout",
        float,
        20.0,
        "Seconds to wait for a connection, a DNS answer or the next piece of a reply before giving up.",
    ),
    Setting(
        "fetch.deadline",
        float,
        60.0,
        "Seconds one request may take in all, from sending it to the last byte of the body "
        "(stops servers that drip a body slowly enough to dodge `fetch.timeout`).",
    ),
    Setting("fetch.max_bytes", int, 10_000_000, "Largest response body accepted, enforced while streaming."),
    Setting("fetch.max_redirects", int, 5, "Redirects followed before a fetch fails."),
    Setting("fetch.retries", int, 2, "Extra attempts after a timeout, 429 or 5xx reply."),
    Setting("fetch.per_host_concurrency", int, 2, "Requests in flight at once to one host."),
    Setting("fetch.per_host_delay", float, 1.0, "Seconds between the starts of two requests to one host."),
    Setting(
        "fetch.respect_robots",
        bool,
        True,
        "Obey robots.txt (read once per site and run; its Crawl-delay raises the per-host delay).",
    ),
    Setting("ingest.max_items_per_feed", int, 200, "Feed entries looked at per source and run."),
    Setting("ingest.refetch_known", bool, False, "Fetch again article pages that are already stored."),
    Setting(
        "ingest.min_text_chars", int, 200, "Shorter extracted texts are reported as failures, not stored."
    ),
    Setting("ingest.sitemap_days", int, 7, "Sitemap entries older than this many days are not fetched."),
    Setting(
        "ingest.interval", int, 900, "Seconds between two passes over a healthy source in `eurasiawatch run`."
    ),
    Setting(
        "deliver.schedule",
        str,
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;BYHOUR=9;BYMINUTE=0",
        "When editions go out: an RFC 5545 RRULE read in `timezone` (wall-clock times stay put across "
        "daylight-saving changes).",
    ),
    Setting(
        "deliver.schedule_start",
        str,
        "2025-01-08T09:00",
        "DTSTART anchor of `deliver.schedule`, local time in `timezone`; with INTERVAL=2 it picks which "
        "Wednesdays are send days.",
    ),
    Setting(
        "deliver.send_window_hours",
        float,
        12.0,
        "Hours after a slot during which `send --due` still treats it as due (a late cron run still sends).",
    ),
    Setting(
        "deliver.key_file",
        str,
        "",
        "JSON key file holding the subscriber keys (address encryption, lookup index, token signing); "
        "empty means `deliver-keys.json` in `data_dir`. Ignored when `deliver.key` is set.",
    ),
    Setting(
        "deliver.key",
        str,
        "",
        "The subscriber key ring (same JSON as the key file) or a base64 32-byte master key; wins over "
        "the key file.",
        secret=True,
    ),
    Setting("deliver.confirm_hours", int, 48, "Hours a double opt-in confirmation link stays valid."),
    Setting(
        "deliver.confirmations_per_hour",
        int,
        200,
        "Confirmation mails sent per hour across all addresses (global limit against form flooding).",
    ),
    Setting(
        "deliver.pow_difficulty",
        int,
        18,
        "Leading zero bits the subscribe form's proof-of-work must find (each extra bit doubles the work).",
    ),
    Setting(
        "deliver.soft_bounce_limit",
        int,
        3,
        "Soft bounces in a row after which an address is suppressed.",
    ),
    Setting(
        "deliver.pending_retention_days",
        int,
        7,
        "Unconfirmed subscriptions older than this many days are deleted by `subscribers cleanup`.",
    ),
    Setting(
        "deliver.unsubscribed_retention_days",
        int,
        30,
        "Unsubscribed records older than this many days are deleted by `subscribers cleanup`.",
    ),
    Setting("deliver.from_address", str, "briefing@eurasiawatch.example", "From address of the briefing."),
    Setting("deliver.from_name", str, "China In Eurasia", "Display name in the From header."),
    Setting(
        "deliver.list_id", str, "China In Eurasia <briefing.eurasiawatch.example>", "The List-Id header."
    ),
    Setting(
        "deliver.unsubscribe_url",
        str,
        "https://eurasiawatch.example/unsubscribe/{token}",
        "One-click unsubscribe URL; `{token}` is the subscriber's opaque token.",
    ),
    Setting(
        "deliver.unsubscribe_mailto",
        str,
        "unsubscribe+{token}@eurasiawatch.example",
        "Address a reader can write to to leave; `{token}` as above.",
    ),
    Setting(
        "deliver.bounce_address",
        str,
        "bounces+{verp}@eurasiawatch.example",
        "VERP return path; `{verp}` is a random per-delivery tag.",
    ),
    Setting(
        "deliver.relays",
        str,
        "smtp://127.0.0.1:25",
        "SMTP relays, comma-separated: `smtp://user@host:587?tls=starttls&weight=2&rate=10` "
        "(passwords in EURASIAWATCH_DELIVER__SMTP_PASSWORD or ..._PASSWORD_<n>).",
    ),
    Setting("deliver.smtp_password", str, "", "Password for the SMTP relays.", secret=True),
    Setting("deliver.concurrency", int, 8, "Messages in flight at once."),
    Setting(
        "deliver.domain_rate", float, 0.0, "Messages per second to one destination domain; 0 = no limit."
    ),
    Setting("deliver.max_attempts", int, 5, "Tries before a 4xx reply counts as a soft bounce."),
    Setting("deliver.retry_base", float, 60.0, "Seconds before the first retry of a 4xx; doubles each time."),
    Setting("deliver.lease_seconds", float, 60.0, "Lease of the one-sender lock; renewed while sending."),
    Setting("deliver.dkim_domain", str, "", "DKIM signing domain (d=); empty: no signature."),
    Setting("deliver.dkim_selector", str, "", "DKIM RSA selector (s=)."),
    Setting("deliver.dkim_key_file", str, "", "PEM file of the DKIM RSA private key."),
    Setting("deliver.dkim_ed25519_selector", str, "", "Optional second, Ed25519 DKIM selector."),
    Setting("deliver.dkim_ed25519_key_file", str, "", "PEM file of the Ed25519 DKIM private key."),
    Setting(
        "deliver.editors",
        str,
        "",
        "Editors' addresses, comma-separated: test sends and 'nothing approved' notes.",
    ),
    Setting(
        "deliver.scheduler",
        bool,
        True,
        "Send due editions from inside `eurasiawatch serve` (at each slot of `deliver.schedule`); "
        "false leaves it to cron and `send --due`. Both may run: the send lease lets only one send.",
    ),
    Setting(
        "deliver.imap_host",
        str,
        "",
        "IMAP server holding the bounce address's mail (`bounces process --imap`); empty: not used.",
    ),
    Setting("deliver.imap_port", int, 993, "Port of that IMAP server (993 for tls, 143 for starttls)."),
    Setting("deliver.imap_tls", str, "tls", "`tls` (implicit TLS) or `starttls`; plain IMAP is refused."),
    Setting("deliver.imap_user", str, "", "IMAP login name."),
    Setting("deliver.imap_password", str, "", "IMAP password.", secret=True),
    Setting("deliver.imap_folder", str, "INBOX", "IMAP folder the bounces arrive in."),
    Setting("deliver.imap_processed_folder", str, "Processed", "IMAP folder handled bounces move to."),
    Setting(
        "deliver.imap_quarantine_folder",
        str,
        "Quarantine",
        "IMAP folder unparseable or unknown bounces move to (nothing is deleted).",
    ),
    Setting(
        "deliver.imap_ca_file",
        str,
        "",
        "PEM file of the CA that signed the IMAP server's certificate; empty: the system's CAs.",
    ),
    Setting(
        "compose.llm_url",
        str,
        "",
        "OpenAI-compatible endpoint to draft with; empty: extractive drafting only.",
    ),
    Setting("compose.llm_model", str, "", "Model name at that endpoint."),
    Setting("compose.llm_api_key", str, "", "API key of that endpoint.", secret=True),
    Setting("compose.greeting", str, "", "Greeting of each edition; empty: the built-in one."),
    Setting("compose.signoff", str, "", "Sign-off of each edition; empty: the built-in one."),
    Setting("compose.bio", str, "", "Author bio at the foot of each edition; empty: the built-in one."),
    Setting(
        "compose.russia_notice",
        str,
        "",
        "Notice for readers in Russia at the foot of each edition; empty: built-in.",
    ),
    Setting(
        "render.newsletter", str, "China In Eurasia", "The briefing's name, in the masthead and the feed."
    ),
    Setting(
        "render.site_url",
        str,
        "",
        "Public URL of the web archive, for absolute links in the feed; empty: relative.",
    ),
    Setting(
        "web.secret_key_file",
        str,
        "",
        "File holding the desk's server secret (signs CSRF and session cookies); empty means "
        "`web-secret.key` in `data_dir`, created (mode 0600) on first use. Ignored when "
        "`web.secret_key` is set.",
    ),
    Setting(
        "web.secret_key",
        str,
        "",
        "The desk's server secret, at least 32 characters; wins over the key file.",
        secret=True,
    ),
    Setting("desk.session_idle_minutes", int, 60, "A desk session ends after this long without a request."),
    Setting("desk.session_hours", int, 12, "A desk session ends this long after sign-in, used or not."),
    Setting(
        "desk.login_max_failures",
        int,
        5,
        "Failed sign-ins (password or code) to one account name within `desk.login_window_minutes` "
        "that pause its sign-in until the oldest ages out.",
    ),
    Setting("desk.login_window_minutes", int, 15, "Window of the per-account sign-in limit."),
    Setting(
        "desk.login_global_max_failures",
        int,
        100,
        "Failed sign-ins to any account within one minute that pause every sign-in (password spraying).",
    ),
    Setting(
        "desk.argon2_time_cost",
        int,
        3,
        "argon2id passes for desk passwords (changing it rehashes at sign-in).",
    ),
    Setting(
        "desk.argon2_memory_kib",
        int,
        65536,
        "argon2id memory in KiB for desk passwords (changing it rehashes).",
    ),
    Setting(
        "desk.totp_issuer", str, "eurasiawatch", "Issuer name the authenticator app shows for desk accounts."
    ),
    Setting(
        "kb.drop_alias_after",
        int,
        2,
        "Different articles editors must remove one actor from, where the same alias of it had matched, "
        "before dropping that alias is suggested in the desk's knowledge-base queue.",
    ),
    Setting(
        "kb.reannotate_limit",
        int,
        200,
        "Most stored articles annotated again at once when a knowledge-base suggestion is accepted "
        "(those whose text may contain the alias; about 20 ms each, while the desk waits); "
        "`eurasiawatch reannotate` does the rest.",
    ),
)

_BY_KEY = {s.key: s for s in SPEC}
_BOOL_WORDS = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}


@dataclass(frozen=True, slots=True)
class Settings:
    """Effective settings; ``origins`` says where each value came from (default, file or env var)."""

    data_dir: str = "./ew-data"
    cache_dir: str = ""
    database_url: str = ""
    database_schema: str = ""
    log_level: str = "INFO"
    timezone: str = "Europe/Prague"
    fetch_user_agent: str = ""
    fetch_timeout: float = 20.0
    fetch_deadline: float = 60.0
    fetch_max_bytes: int = 10_000_000
    fetch_max_redirects: int = 5
    fetch_retries: int = 2
    fetch_per_host_concurrency: int = 2
    fetch_per_host_delay: float = 1.0
    fetch_respect_robots: bool = True
    ingest_max_items_per_feed: int = 200
    ingest_refetch_known: bool = False
    ingest_min_text_chars: int = 200
    ingest_sitemap_days: int = 7
    ingest_interval: int = 900
    deliver_schedule: str = "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;BYHOUR=9;BYMINUTE=0"
    deliver_schedule_start: str = "2025-01-08T09:00"
    deliver_send_window_hours: float = 12.0
    deliver_key_file: str = ""
    deliver_key: str = ""
    deliver_confirm_hours: int = 48
    deliver_confirmations_per_hour: int = 200
    deliver_pow_difficulty: int = 18
    deliver_soft_bounce_limit: int = 3
    deliver_pending_retention_days: int = 7
    deliver_unsubscribed_retention_days: int = 30
    deliver_from_address: str = "briefing@eurasiawatch.example"
    deliver_from_name: str = "China In Eurasia"
    deliver_list_id: str = "China In Eurasia <briefing.eurasiawatch.example>"
    deliver_unsubscribe_url: str = "https://eurasiawatch.example/unsubscribe/{token}"
    deliver_unsubscribe_mailto: str = "unsubscribe+{token}@eurasiawatch.example"
    deliver_bounce_address: str = "bounces+{verp}@eurasiawatch.example"
    deliver_relays: str = "smtp://127.0.0.1:25"
    deliver_smtp_password: str = ""
    deliver_concurrency: int = 8
    deliver_domain_rate: float = 0.0
    deliver_max_attempts: int = 5
    deliver_retry_base: float = 60.0
    deliver_lease_seconds: float = 60.0
    deliver_dkim_domain: str = ""
    deliver_dkim_selector: str = ""
    deliver_dkim_key_file: str = ""
    deliver_dkim_ed25519_selector: str = ""
    deliver_dkim_ed25519_key_file: str = ""
    deliver_editors: str = ""
    deliver_scheduler: bool = True
    deliver_imap_host: str = ""
    deliver_imap_port: int = 993
    deliver_imap_tls: str = "tls"
    deliver_imap_user: str = ""
    deliver_imap_password: str = ""
    deliver_imap_folder: str = "INBOX"
    deliver_imap_processed_folder: str = "Processed"
    deliver_imap_quarantine_folder: str = "Quarantine"
    deliver_imap_ca_file: str = ""
    compose_llm_url: str = ""
    compose_llm_model: str = ""
    compose_llm_api_key: str = ""
    compose_greeting: str = ""
    compose_signoff: str = ""
    compose_bio: str = ""
    compose_russia_notice: str = ""
    render_newsletter: str = "China In Eurasia"
    render_site_url: str = ""
    web_secret_key_file: str = ""
    web_secret_key: str = ""
    desk_session_idle_minutes: int = 60
    desk_session_hours: int = 12
    desk_login_max_failures: int = 5
    desk_login_window_minutes: int = 15
    desk_login_global_max_failures: int = 100
    desk_argon2_time_cost: int = 3
    desk_argon2_memory_kib: int = 65536
    desk_totp_issuer: str = "eurasiawatch"
    kb_drop_alias_after: int = 2
    kb_reannotate_limit: int = 200
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def data_path(self) -> Path:
        """``data_dir`` as a path."""
        return Path(self.data_dir)

    @property
    def deliver_key_path(self) -> Path:
        """The subscriber key file, defaulting to ``deliver-keys.json`` in the data directory."""
        return Path(self.deliver_key_file) if self.deliver_key_file else self.data_path / "deliver-keys.json"

    @property
    def web_secret_key_path(self) -> Path:
        """The desk's secret file, defaulting to ``web-secret.key`` in the data directory."""
        if self.web_secret_key_file:
            return Path(self.web_secret_key_file)
        return self.data_path / "web-secret.key"

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_path / 'eurasiawatch.db').as_posix()}"

    def effective(self) -> list[tuple[str, str, str]]:
        """Rows of (key, shown value, origin), secrets masked."""
        rows = []
        for spec in SPEC:
            value = getattr(self, spec.attr)
            shown = _mask(value) if spec.secret else _show(value)
            rows.append((spec.key, shown, self.origins.get(spec.key, "default")))
        return rows


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _mask(value: Any) -> str:
    return "****" if value else "(unset)"


def _coerce(spec: Setting, raw: Any, origin: str) -> Any:
    """Turn a raw TOML or environment value into the setting's type, or raise ConfigError."""
    bad = ConfigError(
        f"setting {spec.key} = {raw!r} (from {origin}) is not a valid {spec.type.__name__}",
        hint=spec.help,
    )
    if spec.type is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _BOOL_WORDS:
            return _BOOL_WORDS[raw.strip().lower()]
        raise bad
    if spec.type is int:
        if isinstance(raw, bool):
            raise bad
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise bad from None
    if spec.type is float:
        if isinstance(raw, bool):
            raise bad
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise bad from None
    if not isinstance(raw, str):
        raise bad
    return raw


def _validate(values: dict[str, Any], origins: dict[str, str]) -> None:
    """Range checks that types alone do not catch."""
    positive = (
        "fetch.timeout",
        "fetch.deadline",
        "fetch.max_bytes",
        "fetch.per_host_concurrency",
        "ingest.interval",
        "deliver.send_window_hours",
        "deliver.confirm_hours",
        "deliver.confirmations_per_hour",
        "deliver.soft_bounce_limit",
        "desk.session_idle_minutes",
        "desk.session_hours",
        "desk.login_max_failures",
        "desk.login_window_minutes",
        "desk.login_global_max_failures",
        "desk.argon2_time_cost",
        "desk.argon2_memory_kib",
        "kb.drop_alias_after",
        "kb.reannotate_limit",
    )
    for key in positive:
        if values[key] <= 0:
            raise ConfigError(
                f"setting {key} = {values[key]!r} (from {origins.get(key, 'default')}) must be > 0"
            )
    for key in (
        "fetch.retries",
        "fetch.max_redirects",
        "fetch.per_host_delay",
        "ingest.max_items_per_feed",
        "ingest.sitemap_days",
        "deliver.pending_retention_days",
        "deliver.unsubscribed_retention_days",
    ):
        if values[key] < 0:
            raise ConfigError(
                f"setting {key} = {values[key]!r} (from {origins.get(key, 'default')}) must be >= 0"
            )
    level = str(values["log_level"]).upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"setting log_level = {values['log_level']!r} is not DEBUG, INFO, WARNING or ERROR")
    values["log_level"] = level
    if not 0 <= values["deliver.pow_difficulty"] <= 32:
        raise ConfigError(
            f"setting deliver.pow_difficulty = {values['deliver.pow_difficulty']!r} must be 0 to 32"
        )
    _validate_schedule(values)
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(values["timezone"])
    except Exception:
        raise ConfigError(
            f"setting timezone = {values['timezone']!r} is not a known IANA time zone"
        ) from None


def _validate_schedule(values: dict[str, Any]) -> None:
    """The RRULE and its anchor must parse (dateutil reads them again in ``deliver.schedule``)."""
    from datetime import datetime

    from dateutil.rrule import rrulestr

    try:
        start = datetime.fromisoformat(values["deliver.schedule_start"])
    except ValueError:
        raise ConfigError(
            f"setting deliver.schedule_start = {values['deliver.schedule_start']!r} is not an ISO "
            "local date-time such as 2025-01-08T09:00"
        ) from None
    try:
        rrulestr(values["deliver.schedule"], dtstart=start.replace(tzinfo=None))
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"setting deliver.schedule = {values['deliver.schedule']!r} is not a valid RRULE: {exc}",
            hint="e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;BYHOUR=9;BYMINUTE=0",
        ) from None


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = value
    return flat


def load_settings(
    path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build the effective settings.

    Args:
        path: a TOML file; when None, ``EURASIAWATCH_CONFIG`` names one if set.
        environ: the environment to read (``os.environ`` by default).

    Returns:
        The frozen settings, with the origin of every value.

    Raises:
        ConfigError: unknown key, bad value, unreadable file, or a secret in the file.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {s.key: s.default for s in SPEC}
    origins: dict[str, str] = {s.key: "default" for s in SPEC}

    path = path or env.get(ENV_PREFIX + "CONFIG") or None
    if path:
        file = Path(path)
        try:
            table = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {file} does not exist") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {file} is not valid TOML: {exc}") from None
        for key, raw in _flatten(table).items():
            spec = _BY_KEY.get(key)
            if spec is None:
                raise ConfigError(
                    f"config file {file} has an unknown setting {key!r}", hint="see docs/config.md"
                )
            if spec.secret:
                raise ConfigError(
                    f"setting {key} is a secret and may only come from {spec.env}, not from {file}"
                )
            values[key] = _coerce(spec, raw, str(file))
            origins[key] = str(file)

    for spec in SPEC:
        if spec.env in env:
            values[spec.key] = _coerce(spec, env[spec.env], spec.env)
            origins[spec.key] = spec.env
    unknown = sorted(
        k
        for k in env
        if k.startswith(ENV_PREFIX) and k not in {s.env for s in SPEC} and not _is_reserved_env(k)
    )
    if unknown:
        raise ConfigError(
            f"unknown environment setting {unknown[0]}", hint="see docs/config.md for the names"
        )

    _validate(values, origins)
    return Settings(**{s.attr: values[s.key] for s in SPEC}, origins=origins)


def _is_reserved_env(name: str) -> bool:
    """Environment names used by the program that are not settings (the config path, test knobs)."""
    # numbered relay passwords (EURASIAWATCH_DELIVER__SMTP_PASSWORD_2 ...) are read by deliver.options
    return (
        name in {ENV_PREFIX + "CONFIG"}
        or name.startswith(ENV_PREFIX + "TEST_")
        or name.startswith(ENV_PREFIX + "DELIVER__SMTP_PASSWORD_")
    )


def config_markdown() -> str:
    """The reference page ``docs/config.md``, generated from ``SPEC``."""
    lines = [
        "# Configuration",
        "",
        "<!-- generated by `eurasiawatch config docs`; a test checks it is current -->",
        "",
        "Values come from the packaged defaults, then the TOML file given by `--config` or",
        "`EURASIAWATCH_CONFIG`, then environment variables (`__` stands for each dot). Secrets are read",
        "from the environment only. `eurasiawatch config show` prints every effective value and its origin.",
        "",
        "| key | environment variable | type | default | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    for s in SPEC:
        default = _mask(s.default) if s.secret and s.default else f"`{_show(s.default)}`"
        secret = " *(secret: environment only)*" if s.secret else ""
        lines.append(f"| `{s.key}` | `{s.env}` | {s.type.__name__} | {default} | {s.help}{secret} |")
    return "\n".join(lines) + "\n"


def _check_spec_matches_dataclass() -> None:
    names = {f.name for f in fields(Settings)} - {"origins"}
    declared = {s.attr for s in SPEC}
    if names != declared:  # pragma: no cover - caught by the test suite
        raise RuntimeError(f"Settings and SPEC differ: {sorted(names ^ declared)}")


_check_spec_matches_dataclass()
