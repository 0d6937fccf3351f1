"""Addresses encrypted at rest, the keyed index, key files and rotation keys."""

from __future__ import annotations

import base64
import os
import pickle
import stat

import pytest

from eurasiawatch.config import Settings
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.errors import ConfigError, DeliveryError

ADDRESS = "Reader.Name@Example.org"


def test_encrypt_decrypt_and_fresh_nonces() -> None:
    crypto = Crypto.generate()
    a, b = crypto.encrypt(ADDRESS), crypto.encrypt(ADDRESS)
    assert a != b
    assert ADDRESS.encode() not in a
    assert crypto.decrypt(a) == crypto.decrypt(b) == ADDRESS


def test_tampering_and_foreign_keys_fail_loudly() -> None:
    crypto = Crypto.generate()
    blob = bytearray(crypto.encrypt(ADDRESS))
    blob[-1] ^= 1
    with pytest.raises(DeliveryError, match="integrity"):
        crypto.decrypt(bytes(blob))
    with pytest.raises(DeliveryError, match="not in the key ring"):
        Crypto.generate().decrypt(crypto.encrypt(ADDRESS))


def test_index_is_keyed_and_normalized() -> None:
    crypto = Crypto.generate()
    assert crypto.index(ADDRESS) == crypto.index("  reader.name@example.org ")
    assert crypto.index(ADDRESS) != Crypto.generate().index(ADDRESS)
    assert len(crypto.index(ADDRESS)) == 64


def test_rotation_keeps_old_rows_readable_and_the_index_stable() -> None:
    old = Crypto.generate()
    blob = old.encrypt(ADDRESS)
    rotating = old.with_new_key()
    assert rotating.decrypt(blob) == ADDRESS
    assert not rotating.is_current(blob)
    fresh = rotating.encrypt(ADDRESS)
    assert rotating.is_current(fresh)
    done = rotating.current_only()
    assert done.decrypt(fresh) == ADDRESS
    with pytest.raises(DeliveryError):
        done.decrypt(blob)
    assert done.index(ADDRESS) == old.index(ADDRESS)  # suppression hashes survive rotation


def test_key_file_created_0600_and_read_back(tmp_path) -> None:
    settings = Settings(data_dir=str(tmp_path))
    with pytest.raises(ConfigError, match="no subscriber key"):
        Crypto.from_settings(settings)
    made = Crypto.from_settings(settings, create=True)
    path = tmp_path / "deliver-keys.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = Crypto.from_settings(settings)
    assert again == made
    assert again.decrypt(made.encrypt(ADDRESS)) == ADDRESS


def test_key_from_environment_wins(tmp_path) -> None:
    master = base64.b64encode(b"m" * 32).decode()
    one = Crypto.from_settings(Settings(data_dir=str(tmp_path), deliver_key=master))
    two = Crypto.from_settings(Settings(data_dir=str(tmp_path / "x"), deliver_key=master))
    assert one == two and one.index(ADDRESS) == two.index(ADDRESS)
    ring = Crypto.generate()
    assert Crypto.from_settings(Settings(deliver_key=ring.to_json())) == ring
    with pytest.raises(ConfigError):
        Crypto.from_settings(Settings(deliver_key="not base64!"))
    with pytest.raises(ConfigError):
        Crypto.from_settings(Settings(deliver_key='{"index": 1}'))


def test_repr_hides_keys_and_pickles() -> None:
    crypto = Crypto.generate()
    assert base64.b64encode(crypto.index_key).decode() not in repr(crypto)
    assert pickle.loads(pickle.dumps(crypto)) == crypto
