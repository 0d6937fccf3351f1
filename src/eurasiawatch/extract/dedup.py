"""Near-duplicate detection: MinHash signatures and LSH band buckets.

A syndicated copy of a story (another outlet's lightly edited reprint, a wire text with a new
headline, a re-published page under a new URL) gets its own ``article_id`` from its own canonical
URL. To link it to the first copy we compare *word shingles*: the set of overlapping three-word
sequences of the text. Their Jaccard similarity is estimated by a 128-value MinHash signature,
and the signature is cut into 32 bands of 4 values; two texts that agree on a whole band land in
the same bucket. The store keeps every article's buckets, so a copy arriving a week later finds
the first one with one indexed lookup, however many articles came in between.

With 32 bands of 4 rows, a pair with Jaccard 0.5 shares a bucket with probability 1 − (1 − 0.5⁴)³²
≈ 0.87, a pair at 0.7 with probability > 0.999, and a pair at 0.2 with ≈ 0.05; candidates are then
checked on the whole signature against ``THRESHOLD``. Everything here is pure: text in, values out.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = ["BANDS", "NUM_PERM", "THRESHOLD", "Fingerprint", "best_match", "fingerprint", "similarity"]

NUM_PERM = 128
BANDS = 32
_ROWS = NUM_PERM // BANDS
#: Estimated Jaccard similarity of word shingles from which two texts count as one story.
THRESHOLD = 0.5
_SHINGLE = 3
# Fewer distinct shingles than this and a text is too short to call anything a copy of it.
_MIN_SHINGLES = 12
_MAX_CHARS = 200_000
_PRIME = (1 << 31) - 1  # shingle hashes live below this Mersenne prime
_WORD = re.compile(r"[^\W_]+")
_SPACELESS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


def _coefficients(tag: str, bits: int) -> np.ndarray:
    # Derived from SHA-256 rather than a random generator so that signatures stored today match
    # signatures computed by any later numpy version.
    values = [
        int.from_bytes(hashlib.sha256(f"eurasiawatch-minhash-{tag}-{i}".encode()).digest()[:8], "big")
        % ((1 << bits) - 1)
        | 1
        for i in range(NUM_PERM)
    ]
    array = np.array(values, dtype=np.uint64)
    array.flags.writeable = False
    return array


# Multiply-shift hashing ((a·x + b) mod 2⁶⁴) >> 32 of 31-bit shingle hashes: a universal family
# that needs no modulo, so one signature is a few vector operations.
_A = _coefficients("a", 64)[:, None]
_B = _coefficients("b", 64)[:, None]
# Weights that fold three token hashes into one shingle hash (mod _PRIME, no overflow below 2⁶³).
_FOLD = _coefficients("fold", 31)[:2]


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A text's MinHash signature (``NUM_PERM`` little-endian uint32) and its ``BANDS`` bucket keys."""

    signature: bytes
    buckets: tuple[str, ...]


def _token_hashes(text: str) -> np.ndarray:
    """One 31-bit hash per word (per character in scripts written without spaces)."""
    normalised = unicodedata.normalize("NFKC", text[:_MAX_CHARS]).casefold()
    words = _WORD.findall(normalised)
    if len(_SPACELESS.findall(normalised)) > len(normalised) // 4:
        codes = np.frombuffer("".join(words).encode("utf-32-le"), dtype="<u4")
        return codes.astype(np.uint64)
    return np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words))


def _shingles(text: str) -> np.ndarray:
    """Distinct hashes of overlapping token triples (three words, or three characters)."""
    tokens = _token_hashes(text) % _PRIME
    if len(tokens) < _SHINGLE:
        return np.empty(0, dtype=np.uint64)
    folded = (tokens[:-2] * _FOLD[0] + tokens[1:-1] * _FOLD[1] + tokens[2:]) % _PRIME
    return np.unique(folded)


def fingerprint(text: str) -> Fingerprint | None:
    """MinHash a text for near-duplicate lookup.

    Args:
        text: the article text.

    Returns:
        The signature and bucket keys, or None when the text is too short to compare
        (fewer than a dozen distinct word triples).
    """
    shingles = _shingles(text)
    if len(shingles) < _MIN_SHINGLES:
        return None
    with np.errstate(over="ignore"):  # the products wrap modulo 2⁶⁴ on purpose
        hashed = (_A * shingles[None, :] + _B) >> np.uint64(32)
    signature = hashed.min(axis=1).astype("<u4")
    raw = signature.tobytes()
    width = _ROWS * 4
    buckets = tuple(
        hashlib.blake2b(bytes([band]) + raw[band * width : (band + 1) * width], digest_size=8).hexdigest()
        for band in range(BANDS)
    )
    return Fingerprint(signature=raw, buckets=buckets)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures: the share of positions where they agree."""
    left = np.frombuffer(a, dtype="<u4")
    right = np.frombuffer(b, dtype="<u4")
    if left.shape != right.shape or not len(left):
        return 0.0
    return float(np.count_nonzero(left == right)) / len(left)


def best_match(
    fp: Fingerprint,
    candidates: Iterable[tuple[str, bytes, str | None]],
    *,
    threshold: float = THRESHOLD,
) -> tuple[str, float] | None:
    """The earlier article a text is a near-duplicate of, if any.

    Args:
        fp: the new text's fingerprint.
        candidates: ``(article_id, signature, duplicate_of)`` of stored articles sharing a bucket.
        threshold: the least estimated similarity that counts.

    Returns:
        ``(article_id, similarity)`` of the first copy — a candidate that is itself a copy stands
        for the article it copies, so chains collapse onto one original — or None.
    """
    best: tuple[float, str] | None = None
    for article_id, signature, duplicate_of in candidates:
        score = similarity(fp.signature, signature)
        if score >= threshold and (best is None or score > best[0]):
            best = (score, duplicate_of or article_id)
    return None if best is None else (best[1], round(best[0], 4))
