#!/usr/bin/env bash
# Benchmark of `phr-meta write`: the same values (a non-ASCII title, three keywords, a date,
# a removed city, the record id) written into N JPEGs (N=500 and SIZE=1600x1200, ~600 KB, unless set)
# by `phr-meta write --once`, against exiftool writing the same tags into copies of the same
# files, run in the same go two ways:
# - one exiftool process per file, as Phraseanet writes metadata (PHPExiftool's Writer runs
#   one exiftool command per file), on the first PER_FILE files (50 unless set);
# - one exiftool process over the whole folder, exiftool's best case.
# phr-meta write fsyncs every new file before renaming any over its stored original, fsyncs
# the folders and commits the store (per group of 256 records, on two threads per core);
# `exiftool -overwrite_original` renames without fsync (a line adds one sync after it, as
# durable). The floor is `durable-copy` (examples/durable-copy.rs) on copies of the same
# files: phr-meta write's own writer (a copy written with its SHA-256 computed on the way,
# fsync, rename over) with no metadata work, which any atomic and durable rewrite does.
# RUST_LOG=debug shows where phr-meta's time goes. Target: at least 10 times exiftool's rate.
# Needs ImageMagick's `convert` and exiftool. SIZE=64x48 for small files.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bins --example durable-copy
BIN=$PWD/target/release
N=${N:-500}
PER_FILE=${PER_FILE:-50}
SIZE=${SIZE:-1600x1200}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export PHR_DATA_DIR=$W/data PHR_CONFIG=$W/phr.toml
cat > "$PHR_CONFIG" <<'EOF'
[fields.Title]
sources = ["XMP-dc:Title", "IPTC:ObjectName"]
[fields.Keywords]
multi = true
sources = ["IPTC:Keywords", "XMP-dc:Subject"]
[fields.Date]
type = "date"
sources = ["EXIF:DateTimeOriginal"]
[fields.Ville]
sources = ["XMP-photoshop:City"]
[collections.photos]
id = 1
EOF

# N distinct JPEGs (a comment naming each), with a city to remove.
mkdir -p "$W/src" "$W/hot" "$W/peer"
convert -size "$SIZE" plasma:fractal -quality 90 "$W/base.jpg"
for i in $(seq -w 1 "$N"); do cp "$W/base.jpg" "$W/src/p$i.jpg"; done
exiftool -q -q -overwrite_original '-Comment<FileName' -XMP-photoshop:City=Orléans "$W/src"
cp "$W/src"/*.jpg "$W/hot/"
cp "$W/src"/*.jpg "$W/peer/"
mkdir -p "$W/one" "$W/floor"
cp "$W/src"/*.jpg "$W/floor/"
for f in $(ls "$W/src" | head -n "$PER_FILE"); do cp "$W/src/$f" "$W/one/"; done
echo '<record/>' > "$W/hot/.phrasea.xml"
"$BIN/phr-archive" --hotfolder "$W/hot" --collection photos --delay 0s --once 2>/dev/null
for id in $(seq 1 "$N"); do
  "$BIN/phr-record" set "$id" Title "Été à 日本"
  "$BIN/phr-record" set "$id" Keywords "é" "日本" "three words"
  "$BIN/phr-record" set "$id" Date "2021-03-04 05:06:07"
  "$BIN/phr-record" set "$id" Ville
done
sync

now() { date +%s.%N; }
t0=$(now)
"$BIN/phr-meta" write --once --batch "$N"
t1=$(now)
left=$("$BIN/phr-record" list --pending meta-write --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["records"]))')
[ "$left" = 0 ] || { echo "phr-meta write left $left records marked" >&2; exit 1; }
sync

TAGS=(-charset iptc=UTF8 -IPTC:CodedCharacterSet=UTF8
  "-XMP-dc:Title=Été à 日本" "-IPTC:ObjectName=Été à 日本"
  -IPTC:Keywords=é -IPTC:Keywords=日本 "-IPTC:Keywords=three words"
  -XMP-dc:Subject=é -XMP-dc:Subject=日本 "-XMP-dc:Subject=three words"
  "-EXIF:DateTimeOriginal=2021:03:04 05:06:07" -XMP-photoshop:City=
  -IPTC:UniqueDocumentID=urn:phr-tasks:record:1 -ExifIFD:ImageUniqueID=urn:phr-tasks:record:1
  -XMP-exif:ImageUniqueID=urn:phr-tasks:record:1)
t2=$(now)
exiftool -q -q -overwrite_original "${TAGS[@]}" "$W/peer"
t3=$(now)
sync
t3s=$(now)
t4=$(now)
for f in "$W/one"/*.jpg; do exiftool -q -q -overwrite_original "${TAGS[@]}" "$f"; done
t5=$(now)
sync
floor=$("$BIN/examples/durable-copy" "$W/floor" 4 | awk '{print $(NF-1)}')

python3 - "$N" "$t0" "$t1" "$t2" "$t3" "$SIZE" "$(stat -c %s "$W/src/p$(seq -w 1 "$N" | head -1).jpg")" "$PER_FILE" "$t4" "$t5" "$floor" "$t3s" <<'PY'
import sys
n = int(sys.argv[1]); t0, t1, t2, t3 = map(float, sys.argv[2:6])
one_n, t4, t5, floor = int(sys.argv[8]), float(sys.argv[9]), float(sys.argv[10]), float(sys.argv[11])
ours, batch, one = n / (t1 - t0), n / (t3 - t2), one_n / (t5 - t4)
synced = n / (float(sys.argv[12]) - t2)
print(f"phr-meta write benchmark — {__import__('os').cpu_count()} cores, {__import__('datetime').date.today()}, {n} JPEGs of {sys.argv[6]} ({int(sys.argv[7]) // 1024} KB)")
print(f"{'measure':<72} {'files/s':>8}")
print(f"{f'phr-meta write --once, {n} JPEGs (fsync, rename, commit)':<72} {ours:8,.0f}  {t1 - t0:.2f} s")
print(f"{f'exiftool, one process per file (as Phraseanet runs it), {one_n} JPEGs':<72} {one:8,.1f}  ratio {ours / one:,.0f}  target >= 10")
print(f"{f'exiftool, one process for all {n} JPEGs (no fsync)':<72} {batch:8,.0f}  ratio {ours / batch:.1f}  target >= 10")
print(f"{'  the same, then one sync (as durable as phr-meta write)':<72} {synced:8,.0f}  ratio {ours / synced:.1f}")
print(f"{'floor: phr-meta write with no metadata (its writer: SHA-256, fsync, rename)':<72} {floor:8,.0f}  ratio {floor / batch:.1f} to one exiftool; phr-meta at {ours / floor:.2f} of it")
PY
