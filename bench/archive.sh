#!/usr/bin/env bash
# Benchmark of phr-archive, printing rates and ratios against peers run in the same go on the
# same machine: archiving a hot folder of camera-sized JPEGs end to end against `cp` of the
# same files plus one `exiftool -j` reading their metadata, and our in-process metadata reader
# (exiv2) against `exiftool -j` alone. Both sides read from a warm page cache (the files are
# read once before each timed run) and start with nothing left to write back (`sync`).
# Figures depend on the machine: quote them with the machine they were measured on. Sizes can
# be lowered for a quick run (the images need about 3.4 MB each at 6000x4000, three times over:
# hot folder, data dir, cp's copy):
#   N_ARCHIVE=200 SIZE=3000x2000 bench/archive.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bins --example make-images --example meta-bench
R=$PWD/target/release
N=${N_ARCHIVE:-2000}  # images
SIZE=${SIZE:-6000x4000} # pixels, 24 MP as a camera's
command -v exiftool >/dev/null || { echo "archive.sh: exiftool is missing (scripts/setup installs it)" >&2; exit 69; }

W=$(mktemp -d)
cleanup() { rm -rf "$W" 2>/dev/null || true; }
trap cleanup EXIT
export PHR_DATA_DIR=$W/data PHR_CONFIG=$W/phr.toml
: > "$PHR_CONFIG"
HOT=$W/hot ARCHIVED=$W/hot_archived

now() { date +%s.%N; }
rate() { python3 -c "print(f'{$1/($3-$2):,.0f}')"; }
ratio() { python3 -c "print(f'{($1)/($2):.2f}')"; }
secs() { python3 -c "print(f'{$2-$1:.2f}')"; }
row() { printf '%-58s %18s %s\n' "$1" "$2" "${3:-}"; }
warm() { cat "$1"/*.jpg > /dev/null; sync; } # read every file once, nothing dirty left

echo "phr-tasks archive benchmark — $(nproc) cores, $(date -u +%Y-%m-%d), $N JPEGs of $SIZE pixels, warm page cache"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows both sides)"
t0=$(now)
"$R/examples/make-images" "$HOT" "$N" "$SIZE"
t1=$(now)
echo '<record/>' > "$HOT/.phrasea.xml"
BYTES=$(du -cb "$HOT"/*.jpg | tail -1 | cut -f1)
MB=$(python3 -c "print(f'{$BYTES/1e6:.1f}')")
echo "made $N images ($MB MB, $(python3 -c "print(f'{$BYTES/$N/1e6:.2f}')") MB each on average; MB = 10^6 bytes) in $(secs "$t0" "$t1") s (make-images: encoding, then one exiftool writing their metadata)"
printf '%-58s %18s %s\n' "measure" "files/s  (MB/s)" "target / peer"
both() { echo "$(rate "$N" "$1" "$2") ($(rate "$MB" "$1" "$2"))"; }

# phr-archive, end to end: a fresh data dir, every file copied (fsynced, hashed), its metadata
# read, a record each, the hot-folder file moved to hot_archived/.
warm "$HOT"
t0=$(now)
"$R/phr-archive" --hotfolder "$HOT" --collection default --delay 0s --once
t1=$(now)
records=$("$R/phr-record" list --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["records"]))')
if [ "$records" != "$N" ]; then
  echo "archive.sh: FAILED: $records records after archiving $N files (left in the hot folder: $(find "$HOT" -name '*.jpg' | wc -l))" >&2
  exit 1
fi
archive_s=$(secs "$t0" "$t1")
archive_rate=$(rate "$N" "$t0" "$t1")
archive_both=$(both "$t0" "$t1")

# The peer: the same files copied with cp, and their metadata read by one exiftool process.
# cp does not fsync: the time of a `sync` right after is printed on the next row.
mkdir "$W/copy"
warm "$ARCHIVED"
t0=$(now)
cp -- "$ARCHIVED"/*.jpg "$W/copy/"
exiftool -j -q "$W/copy" > "$W/exiftool.json"
t1=$(now)
sync
t2=$(now)
peer_rate=$(rate "$N" "$t0" "$t1")
row "phr-archive --once, $N files, end to end ($archive_s s)" "$archive_both" \
  "cp + exiftool -j: $peer_rate/s, ratio $(ratio "${archive_rate//,/}" "${peer_rate//,/}") (target >= 1)"
row "  peer: cp + one exiftool -j -q ($(secs "$t0" "$t1") s)" "$(both "$t0" "$t1")" "cp does not fsync"
row "  peer with a sync after it, as durable as phr-archive" "$(both "$t0" "$t2")" "ratio $(ratio "${archive_rate//,/}" "$(rate "$N" "$t0" "$t2" | tr -d ,)")"

# Reading metadata alone, the same files: our reader (exiv2 in-process, one file after
# another) against one exiftool -j process.
warm "$ARCHIVED"
out=$("$R/examples/meta-bench" "$ARCHIVED")
ours_s=$(echo "$out" | awk '{print $4}')
[ "$(echo "$out" | awk '{print $1}')" = "$N" ] || { echo "archive.sh: meta-bench read $out, not $N files" >&2; exit 1; }
ours_rate=$(python3 -c "print(f'{$N/$ours_s:,.0f}')")
t0=$(now)
exiftool -j -q "$ARCHIVED" > "$W/exiftool.json"
t1=$(now)
exif_rate=$(rate "$N" "$t0" "$t1")
row "metadata read, meta::read (exiv2), $N files ($ours_s s)" "$ours_rate" \
  "exiftool -j: $exif_rate/s, ratio $(ratio "${ours_rate//,/}" "${exif_rate//,/}") (target >= 10)"
row "  peer: one exiftool -j -q ($(secs "$t0" "$t1") s)" "$exif_rate"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
