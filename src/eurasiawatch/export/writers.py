"""Streaming writers for the exports: CSV, JSON Lines and Parquet, one row or one batch at a time.

CSV writes lists joined with ``;`` and timestamps as ISO 8601 UTC; JSON Lines keeps lists as arrays.
Parquet buffers ``batch`` rows, then writes them as one row group through a ``ParquetWriter``, so
memory stays flat whatever the export's size.
"""

from __future__ import annotations

import csv
import json
from abc import ABC, abstractmethod
from datetime import date, datetime
from typing import IO, Any

__all__ = ["FORMATS", "RowWriter", "open_writer"]

FORMATS = ("parquet", "csv", "jsonl")


def _text(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class RowWriter(ABC):
    """Writes rows of known columns to a stream; ``close()`` flushes what is buffered."""

    def __init__(self, out: IO[Any], columns: tuple[tuple[str, str], ...]) -> None:
        self.out = out
        self.columns = columns
        self.rows = 0

    @abstractmethod
    def write(self, row: dict[str, Any]) -> None:
        """Write one row (each format implements it)."""

    def close(self) -> None:  # noqa: B027 - a writer without a buffer has nothing to flush
        """Flush buffered rows."""


class _CsvWriter(RowWriter):
    def __init__(self, out: IO[Any], columns: tuple[tuple[str, str], ...]) -> None:
        super().__init__(out, columns)
        self._csv = csv.writer(out)
        self._csv.writerow([name for name, _ in columns])

    def write(self, row: dict[str, Any]) -> None:
        values = []
        for name, kind in self.columns:
            value = row.get(name)
            if kind == "list":
                value = ";".join(value or ())
            elif kind == "bool" and value is not None:
                value = "true" if value else "false"
            values.append("" if value is None else _text(value))
        self._csv.writerow(values)
        self.rows += 1


class _JsonlWriter(RowWriter):
    def write(self, row: dict[str, Any]) -> None:
        record = {name: _text(row.get(name)) for name, _ in self.columns}
        self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.rows += 1


class _ParquetWriter(RowWriter):
    def __init__(self, out: IO[Any], columns: tuple[tuple[str, str], ...], batch: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        super().__init__(out, columns)
        types = {
            "string": pa.string(), "timestamp": pa.timestamp("us", tz="UTC"), "date": pa.date32(),
            "bool": pa.bool_(), "float": pa.float64(), "int": pa.int64(), "list": pa.list_(pa.string()),
        }  # fmt: skip
        self._pa = pa
        self._schema = pa.schema([(name, types[kind]) for name, kind in columns])
        self._writer = pq.ParquetWriter(out, self._schema, compression="zstd")
        self._batch = batch
        self._buffer: list[dict[str, Any]] = []

    def write(self, row: dict[str, Any]) -> None:
        self._buffer.append(row)
        self.rows += 1
        if len(self._buffer) >= self._batch:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._writer.write_table(self._pa.Table.from_pylist(self._buffer, schema=self._schema))
            self._buffer = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


def open_writer(
    fmt: str, out: IO[Any], columns: tuple[tuple[str, str], ...], *, batch: int = 5000
) -> RowWriter:
    """A writer of ``fmt`` on ``out`` (text stream for csv/jsonl, binary for parquet).

    Raises:
        ImportError: Parquet without pyarrow (install the ``dask`` extra).
    """
    if fmt == "csv":
        return _CsvWriter(out, columns)
    if fmt == "jsonl":
        return _JsonlWriter(out, columns)
    return _ParquetWriter(out, columns, batch)
