"""A LocalCluster for the backfill tests: 2 single-threaded worker processes with small memory.

Tests marked ``dask`` skip when dask.distributed is not installed, except under ``CI=true`` where
they fail (the ``dask`` extra is in the dev group, so CI always has it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ..services import missing


def _require_distributed() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        message = f"dask.distributed is not installed: {exc}"
        missing(message)


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    """A client on a LocalCluster of 2 worker processes (1 thread, 1 GiB each)."""
    _require_distributed()
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, memory_limit="1GiB", dashboard_address=":0"
    )
    client = Client(cluster)
    try:
        client.wait_for_workers(2, timeout=60)
        yield client
    finally:
        client.close()
        cluster.close()
