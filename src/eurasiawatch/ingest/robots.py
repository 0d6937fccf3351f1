"""robots.txt rules (RFC 9309) for our User-Agent.

Our own parser rather than ``urllib.robotparser``, which applies the first matching rule instead of
the longest one and does not know the ``*`` and ``$`` wildcards that RFC 9309 defines and most
large sites use. ``Crawl-delay`` is not in the RFC but widely used; it is read so the fetcher can
slow down for the host that asks.

What the fetcher does with a robots.txt that cannot be read (RFC 9309 §2.3.1): a 4xx reply means
"no rules" (allow all); a 5xx reply, 429 or an unreachable server means "disallow all" for the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ROBOTS_MAX_BYTES", "RobotsRules", "parse_robots", "product_token"]

ROBOTS_MAX_BYTES = 500_000  # RFC 9309 §2.5: parse at least 500 KiB; the rest is ignored

_TOKEN = re.compile(r"[A-Za-z_-]+")
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")


@dataclass(frozen=True, slots=True)
class _Rule:
    allow: bool
    pattern: str  # normalised: percent-escapes upper-cased, non-ASCII percent-encoded
    regex: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """The rules that apply to us on one origin (scheme, host, port)."""

    rules: tuple[_Rule, ...] = ()
    crawl_delay: float | None = None
    disallow_everything: bool = False  # robots.txt unreachable: nothing may be fetched this run
    reason: str = ""  # why everything is disallowed

    @classmethod
    def unavailable(cls, reason: str) -> RobotsRules:
        """Rules for a robots.txt that could not be fetched (5xx, 429, unreachable)."""
        return cls(disallow_everything=True, reason=reason)

    def allows(self, path: str) -> bool:
        """Whether we may fetch a path (with its query), as it appears in the request line.

        Args:
            path: the percent-encoded path and query, e.g. ``/news/a?id=1``.

        Returns:
            True when no rule matches or the longest matching rule is an Allow (ties go to Allow).
        """
        if self.disallow_everything:
            return False
        path = _normalise(path or "/")
        if path == "/robots.txt":
            return True
        best: _Rule | None = None
        for rule in self.rules:
            if rule.regex.match(path) is None:
                continue
            if (
                best is None
                or len(rule.pattern) > len(best.pattern)
                or (len(rule.pattern) == len(best.pattern) and rule.allow)
            ):
                best = rule
        return best is None or best.allow


def product_token(user_agent: str) -> str:
    """The token robots.txt groups are matched against: ``eurasiawatch/0.1 (…)`` → ``eurasiawatch``."""
    match = _TOKEN.match(user_agent.strip())
    return match.group(0).lower() if match else ""


def parse_robots(text: str, user_agent: str) -> RobotsRules:
    """The rules of a robots.txt that apply to a User-Agent.

    Groups naming our product token (case-insensitively) are merged and used; failing those, the
    groups for ``*``; failing those, nothing is disallowed.

    Args:
        text: the robots.txt body, already decoded and capped.
        user_agent: our full User-Agent header.

    Returns:
        The rules and the largest valid ``Crawl-delay`` of the chosen groups.
    """
    token = product_token(user_agent)
    groups: list[tuple[list[str], list[tuple[str, str]]]] = []
    agents: list[str] = []
    lines: list[tuple[str, str]] = []
    in_rules = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower().replace("_", "-")
        if key == "user-agent":
            if in_rules:  # a User-agent line after rules starts a new group
                groups.append((agents, lines))
                agents, lines, in_rules = [], [], False
            agents.append(value.lower())
        elif key in {"allow", "disallow", "crawl-delay"} and agents:  # rules before any group: ignored
            lines.append((key, value))
            in_rules = True
        # sitemap and unknown keys do not belong to groups and are ignored
    if agents:
        groups.append((agents, lines))

    def named(agent: str) -> bool:
        return bool(token) and product_token(agent) == token

    chosen = [rules for names, rules in groups if any(named(a) for a in names)]
    if not chosen:
        chosen = [rules for names, rules in groups if "*" in names]
    rules: list[_Rule] = []
    delay: float | None = None
    for group in chosen:
        for key, value in group:
            if key == "crawl-delay":
                seconds = _seconds(value)
                if seconds is not None:
                    delay = seconds if delay is None else max(delay, seconds)
            elif value:  # an empty Disallow (or Allow) means nothing
                pattern = _normalise(value)
                rules.append(_Rule(key == "allow", pattern, _compile(pattern)))
    return RobotsRules(rules=tuple(rules), crawl_delay=delay)


def _seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 and seconds == seconds else None  # not negative, not NaN


def _normalise(path: str) -> str:
    """Percent-encode non-ASCII characters and upper-case existing escapes, so forms compare equal."""
    encoded = "".join(
        ch if ord(ch) < 128 else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for ch in path
    )
    return _PERCENT.sub(lambda m: m.group(0).upper(), encoded)


def _compile(pattern: str) -> re.Pattern[str]:
    """A prefix regex for a rule: ``*`` matches any run of characters, a final ``$`` anchors the end."""
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + (r"\Z" if anchored else ""))
