"""The backfill driver: find the input files, skip the finished ones, map ``process_file`` over them.

Two engines run the same ``process_file``: ``local`` (one after the other in this process, for small
runs and SQLite) and ``dask`` (a ``distributed`` cluster: the scheduler given, else a LocalCluster of
``workers`` single-threaded worker processes). A file is the unit of work and of resumption: its
checkpoint row says ``done`` once all of it is committed, and a later run skips it unless the file
changed (size or mtime). A worker lost mid-file leaves the file ``running``; Dask gives the task to
another worker, and the redo upserts what the lost worker had already committed without doubling it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..clock import Clock
from ..config import Settings
from ..errors import ConfigError
from ..store import Database
from ..store.backfill import file_checkpoints, finish_file, record_item_failures, start_file
from .inputs import InputFile, find_inputs
from .partition import BackfillTask, FileResult, process_file

__all__ = ["ENGINES", "BackfillReport", "plan_backfill", "run_backfill"]

log = logging.getLogger(__name__)

ENGINES = ("local", "dask")
Progress = Callable[[str, int], None]  # ("total", n) once, then ("advance", 1) per finished file


@dataclass
class BackfillReport:
    """What a backfill run did; ``exit_code`` is 0 all ok / 1 some items failed / 2 nothing worked."""

    files: int = 0
    skipped: int = 0
    results: list[FileResult] = field(default_factory=list)
    dashboard: str | None = None

    def total(self, name: str) -> int:
        """Sum of a ``FileResult`` count over the files processed (``records``, ``new``, ``failed`` …)."""
        return sum(int(getattr(r, name)) for r in self.results)

    @property
    def failed_files(self) -> list[FileResult]:
        """Files that could not be processed as a whole."""
        return [r for r in self.results if r.error]

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, 1 when some items or files failed, 2 when nothing was stored."""
        if not self.failed_files and not self.total("failed"):
            return 0
        return 1 if self.total("stored") else 2


def plan_backfill(db: Database, inputs: Sequence[InputFile], *, redo: bool = False) -> list[InputFile]:
    """The files still to do: all of them with ``redo``, else those not ``done`` in this version."""
    if redo:
        return list(inputs)
    with db.begin() as conn:
        known = file_checkpoints(conn, [i.path for i in inputs])
    todo = []
    for item in inputs:
        point = known.get(item.path)
        finished = point is not None and point.status == "done"
        if finished and point is not None and (point.size, point.mtime_ns) == (item.size, item.mtime_ns):
            continue
        todo.append(item)
    return todo


def run_backfill(
    db: Database,
    settings: Settings,
    pattern: str,
    *,
    engine: str = "local",
    clock: Clock | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    memory_limit: str = "1GiB",
    client: Any = None,
    source: str = "backfill",
    batch: int = 200,
    parquet_dir: str | None = None,
    redo: bool = False,
    on_record: Callable[[str], None] | None = None,
    progress: Progress | None = None,
    on_dashboard: Callable[[str], None] | None = None,
) -> BackfillReport:
    """Backfill WARC and JSON Lines files into the store (and Parquet), resuming where a run stopped.

    Args:
        db: an upgraded database; the workers open their own connections from ``settings``.
        settings: effective settings (database, minimum text length, size cap, data directory).
        pattern: a file, folder or glob of ``.warc``/``.warc.gz``/``.jsonl``/``.jsonl.gz`` files.
        engine: ``local`` (this process) or ``dask``.
        clock: stamps extraction and annotation times.
        scheduler: address of a running Dask scheduler (``tcp://host:8786``); else a LocalCluster.
        workers: worker processes of the LocalCluster.
        memory_limit: memory limit of each LocalCluster worker.
        client: an existing ``distributed.Client`` to use (tests, notebooks).
        source: source name stamped on the articles.
        batch: records per committed batch.
        parquet_dir: also write Parquet here, partitioned by date and language.
        redo: process every file, finished or not.
        on_record: hook called on the worker with each record's URL (see ``BackfillTask``).
        progress: called with ("total", files to do) and ("advance", 1) per finished file.
        on_dashboard: called with the Dask dashboard address once the cluster is up.

    Returns:
        Per-file results and the number of files skipped as already done.

    Raises:
        ConfigError: unknown engine, or the ``dask`` extra is missing.
        SourceError: no input files match.
    """
    if engine not in ENGINES:
        raise ConfigError(f"--engine {engine!r} is not one of {', '.join(ENGINES)}")
    if batch < 1 or workers < 1:
        raise ConfigError("--batch and --workers must be at least 1")
    inputs = find_inputs(pattern)
    todo = plan_backfill(db, inputs, redo=redo)
    report = BackfillReport(files=len(inputs), skipped=len(inputs) - len(todo))
    if progress:
        progress("total", len(todo))
    task = BackfillTask(
        settings=settings, clock=clock or Clock(), source=source, batch=batch, parquet_dir=parquet_dir,
        on_record=on_record,
    )  # fmt: skip
    if engine == "local":
        results: Iterator[FileResult] = (process_file(item, task) for item in todo)
    else:
        results = _dask_results(todo, task, scheduler, workers, memory_limit, client, report, on_dashboard)
    for result in results:
        report.results.append(result)
        if result.error:
            _file_failed(db, task.clock, result)
        if progress:
            progress("advance", 1)
    return report


def _dask_results(
    todo: list[InputFile],
    task: BackfillTask,
    scheduler: str | None,
    workers: int,
    memory_limit: str,
    client: Any,
    report: BackfillReport,
    on_dashboard: Callable[[str], None] | None,
) -> Iterator[FileResult]:
    """Map ``process_file`` over the cluster and yield results as files finish."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise ConfigError(
            "the dask engine needs dask.distributed",
            hint="install the `dask` extra: pip install 'eurasiawatch[dask]'",
        ) from exc
    owned: list[Any] = []
    try:
        if client is None:
            if scheduler:
                client = Client(scheduler)
            else:
                cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                    dashboard_address=":0", silence_logs=logging.WARNING,
                )  # fmt: skip
                owned.append(cluster)
                client = Client(cluster)
            owned.insert(0, client)
        report.dashboard = client.dashboard_link
        if on_dashboard and report.dashboard:
            on_dashboard(report.dashboard)
        if not todo:
            return
        futures = client.map(process_file, todo, task=task, pure=False)
        by_key = {f.key: item for f, item in zip(futures, todo, strict=True)}
        for future in as_completed(futures):
            item = by_key[future.key]
            try:
                yield future.result()
            except Exception as exc:  # a task that died with its workers (KilledWorker) or raised
                yield FileResult(item.path, error=f"{type(exc).__name__}: {exc}")
            future.release()
    finally:
        for thing in owned:
            thing.close()


def _file_failed(db: Database, clock: Clock, result: FileResult) -> None:
    """Record a file that failed as a whole: its checkpoint says so, and the failures table has it."""
    reason = result.error or "unknown error"
    now = clock.now()
    with db.begin() as conn:
        known = file_checkpoints(conn, [result.path])
        if result.path not in known:  # it never started on a worker
            start_file(conn, result.path, size=0, mtime_ns=0, worker=None, now=now)
        finish_file(
            conn, result.path, status="failed", records=result.records, stored=result.stored,
            failed=result.failed, reason=reason, now=now,
        )  # fmt: skip
        record_item_failures(conn, result.path, [(result.path, "file", reason)], now=now)
