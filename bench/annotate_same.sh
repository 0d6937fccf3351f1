#!/bin/sh
# Annotate every gold set with the CLI (the cache off and on) into DIR, to compare two runs byte for byte:
#   bench/annotate_same.sh /tmp/before && (edit) && bench/annotate_same.sh /tmp/after && diff -r /tmp/before /tmp/after
set -e
out=${1:?usage: annotate_same.sh DIR}
here=$(dirname "$0")/..
mkdir -p "$out"
cache=$(mktemp -d)
for f in "$here/../shared/eval/annotate/dev.jsonl" "$here/src/eurasiawatch/data/demo/labels.jsonl" "$here/tests/eval/gold.jsonl"; do
  [ -f "$f" ] || continue
  name=$(basename "$(dirname "$f")")-$(basename "$f" .jsonl)
  EURASIAWATCH_CACHE_DIR=off "$here/.venv/bin/python" -m eurasiawatch annotate "$f" --format jsonl > "$out/$name.off.jsonl"
  EURASIAWATCH_CACHE_DIR="$cache" "$here/.venv/bin/python" -m eurasiawatch annotate "$f" --format jsonl > "$out/$name.cold.jsonl"
  EURASIAWATCH_CACHE_DIR="$cache" "$here/.venv/bin/python" -m eurasiawatch annotate "$f" --format jsonl > "$out/$name.on.jsonl"
done
rm -rf "$cache"
