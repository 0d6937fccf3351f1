"""Signed, expiring tokens and opaque ids."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from eurasiawatch.deliver.tokens import TOKEN_PATTERN, InvalidToken, random_token, sign, verify

KEY = b"k" * 32
NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def test_random_tokens_are_lowercase_base32_and_unique() -> None:
    tokens = {random_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(re.fullmatch(TOKEN_PATTERN, t) for t in tokens)


def test_round_trip_and_case_folding() -> None:
    value = random_token()
    token = sign(KEY, "confirm", value, NOW + timedelta(hours=1))
    assert verify(KEY, "confirm", token, NOW) == value
    # a mail client or MTA that upper-cases the token does not break it
    assert verify(KEY, "confirm", token.upper(), NOW) == value


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t[:-1] + ("a" if t[-1] != "a" else "b"),  # forged MAC
        lambda t: ("b" if t[0] != "b" else "c") + t[1:],  # other value
        lambda t: t.replace(".", "", 1),  # damaged
        lambda t: "",
        lambda t: t + ".x",
        lambda t: "x@y.z",
    ],
)
def test_forged_or_damaged_tokens_are_refused(mutate) -> None:
    token = sign(KEY, "confirm", random_token(), NOW + timedelta(hours=1))
    with pytest.raises(InvalidToken):
        verify(KEY, "confirm", mutate(token), NOW)


def test_expired_other_purpose_and_other_key_are_refused() -> None:
    token = sign(KEY, "confirm", random_token(), NOW + timedelta(hours=1))
    with pytest.raises(InvalidToken, match="expired"):
        verify(KEY, "confirm", token, NOW + timedelta(hours=1))
    with pytest.raises(InvalidToken):
        verify(KEY, "pow:18", token, NOW)
    with pytest.raises(InvalidToken):
        verify(b"x" * 32, "confirm", token, NOW)


def test_values_must_not_be_addresses() -> None:
    with pytest.raises(ValueError):
        sign(KEY, "confirm", "reader@example.org", NOW)
