"""``Database.read()``: reading pages never queue behind SQLite's write lock."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from eurasiawatch.config import Settings
from eurasiawatch.store import open_database
from eurasiawatch.store.tables import sources


def test_a_read_goes_ahead_while_another_transaction_holds_the_write_lock(tmp_path) -> None:
    db = open_database(Settings(data_dir=str(tmp_path)))
    db.upgrade()
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with db.begin():  # BEGIN IMMEDIATE: holds the write lock until released
            holding.set()
            release.wait(20)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        started = time.perf_counter()
        with db.read() as conn:
            assert conn.execute(select(func.count()).select_from(sources)).scalar_one() == 0
        assert time.perf_counter() - started < 2.0  # begin() would wait for the busy timeout (10 s)
    finally:
        release.set()
        thread.join(20)
        db.dispose()


def test_read_reads_on_both_databases(fresh_db) -> None:
    with fresh_db.read() as conn:
        assert conn.execute(select(func.count()).select_from(sources)).scalar_one() == 0


def test_a_refused_statement_in_read_is_a_store_error(fresh_db) -> None:
    from eurasiawatch.errors import StoreError

    with pytest.raises(StoreError), fresh_db.read() as conn:
        conn.exec_driver_sql("SELECT * FROM no_such_table")
