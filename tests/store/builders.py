"""The one check every store module's statement builders get: each compiles for both databases.

Every query in ``store/`` builds its SQL with a private ``_*_stmt(dialect, ...)`` builder. A test
module gives sample arguments for each builder of the store module it covers and takes the tests
from ``builder_tests``::

    test_every_builder_has_a_sample, test_statement_compiles, test_every_public_query_uses_a_builder = (
        builder_tests(desk, SAMPLES)
    )

so a builder added without a sample, a statement one database cannot express, or a public query that
builds SQL inline fails without any database running.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

DIALECTS: dict[str, Dialect] = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}

# builder name -> (positional arguments after the dialect, keyword arguments)
Samples = Mapping[str, tuple[tuple[Any, ...], dict[str, Any]]]
Check = Callable[[str, str], None]  # (builder name, compiled SQL): further assertions


def builders(module: ModuleType) -> dict[str, Callable[..., Any]]:
    """The module's own ``_*_stmt`` builders (not those it imports), by name."""
    return {
        name: fn
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("_") and name.endswith("_stmt") and fn.__module__ == module.__name__
    }


def compile_sql(stmt: Any, dialect: str) -> str:
    """The statement as the named database ("sqlite" or "postgresql") would receive it."""
    return str(stmt.compile(dialect=DIALECTS[dialect]))


def builder_tests(
    module: ModuleType, samples: Samples, *, check: Check | None = None
) -> tuple[Callable[[], None], Callable[[str, str], None], Callable[[], None]]:
    """Three tests for ``module``: every builder has a sample; each compiles for both databases
    (then passes ``check``, if given); every public function of ``__all__`` goes through a builder."""
    assert inspect.ismodule(module), f"not a module: {module!r}"  # `from pkg import annotations` is a trap
    found = builders(module)

    def test_every_builder_has_a_sample() -> None:
        missing, unknown = set(found) - set(samples), set(samples) - set(found)
        assert not missing and not unknown, (
            f"{module.__name__}: no sample for {missing}; no builder {unknown}"
        )

    @pytest.mark.parametrize("dialect", sorted(DIALECTS))
    @pytest.mark.parametrize("name", sorted(samples))
    def test_statement_compiles(name: str, dialect: str) -> None:
        args, kwargs = samples[name]
        sql = compile_sql(found[name](dialect, *args, **kwargs), dialect)
        assert sql.strip(), f"{module.__name__}.{name} compiles to nothing for {dialect}"
        if check is not None:
            check(name, sql)

    def test_every_public_query_uses_a_builder() -> None:
        for name in getattr(module, "__all__", ()):
            fn = getattr(module, name)
            if not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            body = inspect.getsource(fn)
            assert "_stmt(" in body, f"{module.__name__}.{name} builds no statement through a _*_stmt builder"
            inline = "select(" in body or "insert(" in body.replace("_insert(", "")
            assert not inline, f"{module.__name__}.{name} builds SQL inline"

    return test_every_builder_has_a_sample, test_statement_compiles, test_every_public_query_uses_a_builder
