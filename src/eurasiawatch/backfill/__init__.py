"""The backfill driver: archives (WARC, JSON Lines) → the same extract, language and annotate stages
as ``ingest`` → the store and Parquet, file by file, locally or on a Dask cluster.

    report = run_backfill(db, settings, "crawl/*.warc.gz", engine="dask", workers=4)
"""

from .driver import ENGINES, BackfillReport, plan_backfill, run_backfill
from .inputs import InputFile, find_inputs, read_input
from .partition import BackfillTask, FileResult, process_file

__all__ = [
    "ENGINES",
    "BackfillReport",
    "BackfillTask",
    "FileResult",
    "InputFile",
    "find_inputs",
    "plan_backfill",
    "process_file",
    "read_input",
    "run_backfill",
]
