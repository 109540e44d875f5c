#!/usr/bin/env bash
# Benchmark of `phr-meta write`: the same values (a non-ASCII title, three keywords, a date,
# a removed city, the record id) written into N JPEGs (N=500 and SIZE=1600x1200, ~600 KB, unless set)
# by `phr-meta write --once`, against one exiftool process over a folder of the same files
# with the same tags. phr-meta write fsyncs every new file before renaming any over its stored
# original, fsyncs the folders and commits the store (per group of 256 records, on two threads
# per core, exiv2 one file at a time); `exiftool -overwrite_original` renames without fsync.
# RUST_LOG=debug shows where phr-meta's time goes. Target: at least 10 times exiftool's rate.
# Needs ImageMagick's `convert` and exiftool. SIZE=160x120 for small files.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=$PWD/target/release
N=${N:-500}
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

t2=$(now)
exiftool -q -q -overwrite_original -charset iptc=UTF8 -IPTC:CodedCharacterSet=UTF8 \
  "-XMP-dc:Title=Été à 日本" "-IPTC:ObjectName=Été à 日本" \
  -IPTC:Keywords=é -IPTC:Keywords=日本 "-IPTC:Keywords=three words" \
  -XMP-dc:Subject=é -XMP-dc:Subject=日本 "-XMP-dc:Subject=three words" \
  "-EXIF:DateTimeOriginal=2021:03:04 05:06:07" -XMP-photoshop:City= \
  -IPTC:UniqueDocumentID=urn:phr-tasks:record:1 -ExifIFD:ImageUniqueID=urn:phr-tasks:record:1 \
  -XMP-exif:ImageUniqueID=urn:phr-tasks:record:1 "$W/peer"
t3=$(now)

python3 - "$N" "$t0" "$t1" "$t2" "$t3" "$SIZE" "$(stat -c %s "$W/src/p$(seq -w 1 "$N" | head -1).jpg")" <<'PY'
import sys
n = int(sys.argv[1]); t0, t1, t2, t3 = map(float, sys.argv[2:6])
ours, peer = n / (t1 - t0), n / (t3 - t2)
print(f"phr-meta write benchmark — {__import__('os').cpu_count()} cores, {__import__('datetime').date.today()}, {n} JPEGs of {sys.argv[6]} ({int(sys.argv[7]) // 1024} KB)")
print(f"{'measure':<60} {'rate (files/s)':>14}")
print(f"{f'phr-meta write --once, {n} JPEGs (fsync, rename, commit)':<60} {ours:14,.0f}  {t1 - t0:.2f} s")
print(f"{f'exiftool -overwrite_original, one process, {n} JPEGs':<60} {peer:14,.0f}  {t3 - t2:.2f} s")
print(f"{'ratio phr-meta / exiftool':<60} {ours / peer:14.1f}  target >= 10")
PY
