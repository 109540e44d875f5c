#!/usr/bin/env bash
# Benchmark of the full-text index (phr-index, phr-record search): N real records with
# realistic fields written through the library's store API (examples/index-bench.rs), then
# - the indexing rate of `phr-index --once` (the incremental path: records marked for it),
#   with `phr-index --rebuild --once` on the same records as its peer;
# - search latency, median and p99, over Q varied queries run in-process as `phr-record search
#   -n 20` runs them (parse, FTS5 query, read the 20 records);
# - one `phr-record search` process against one `phr-record list -n 20` process (the same
#   start-up and store open): what a search costs on top of a plain listing.
# Figures depend on the machine: quote them with it. Smaller: N=20000 Q=100 bench/index.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin phr-index --bin phr-record --example index-bench
R=$PWD/target/release
N=${N:-100000}
Q=${Q:-300}
RUNS=${RUNS:-30}

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export PHR_DATA_DIR=$W/data PHR_CONFIG=$W/phr.toml
cat > "$PHR_CONFIG" <<'TOML'
[fields.Title]
sources = ["XMP-dc:Title"]
[fields.Keywords]
multi = true
sources = ["IPTC:Keywords"]
[fields.Ville]
sources = ["XMP-photoshop:City"]
[fields.Date]
type = "date"
sources = ["EXIF:DateTimeOriginal"]
[fields.Description]
sources = ["XMP-dc:Description"]
[collections.photos]
id = 1
TOML

now() { date +%s.%N; }
rate() { python3 -c "print(f'{$1/($3-$2):,.0f}')"; }
row() { printf '%-62s %16s %s\n' "$1" "$2" "${3:-}"; }
mb() { python3 -c "import os; print(f'{sum(os.path.getsize(os.path.join(\"$PHR_DATA_DIR\", f)) for f in os.listdir(\"$PHR_DATA_DIR\") if f.startswith(\"phr.db\"))/1e6:.0f} MB')"; }
median_ms() { # runs a command RUNS times, prints the median wall time in ms
  python3 - "$RUNS" "$@" <<'PY'
import subprocess, sys, time, statistics
runs, cmd = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    t0 = time.perf_counter(); subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True); times.append(time.perf_counter() - t0)
print(f"{statistics.median(times) * 1000:.2f}")
PY
}

echo "phr-tasks index benchmark — $(nproc) cores, $(date -u +%Y-%m-%d), $N records"
printf '%-62s %16s %s\n' "measure" "figure" "target / peer"

t0=$(now); "$R/examples/index-bench" create "$N"; t1=$(now)
row "records created through the store API (10,000 per transaction)" "$(rate "$N" "$t0" "$t1")/s" "(setup, store $(mb))"

t0=$(now); "$R/phr-index" --once; t1=$(now)
inc=$(rate "$N" "$t0" "$t1")
row "phr-index --once: $N marked records indexed" "$inc/s" "target >= 20,000/s (store now $(mb))"
t0=$(now); "$R/phr-index" --rebuild --once; t1=$(now)
row "phr-index --rebuild --once: the same records from scratch" "$(rate "$N" "$t0" "$t1")/s" "peer of the incremental path"

"$R/examples/index-bench" search "$Q" > "$W/latency"
python3 - "$W/latency" <<'PY'
import sys, statistics
rows = [l.rstrip("\n").split(" ", 3) for l in open(sys.argv[1])]
us = sorted(int(r[0]) for r in rows)
hits = [int(r[1]) for r in rows]
p99 = us[min(len(us) - 1, int(len(us) * 0.99))]
print(f"{'search latency, ' + str(len(us)) + ' varied queries, -n 20 (in-process)':<62} {'p50 %.2f ms' % (statistics.median(us) / 1000):>16} target p50 < 5 ms; p99 {p99 / 1000:.2f} ms, max {us[-1] / 1000:.2f} ms")
classes = {}
for r in rows:
    classes.setdefault(r[2], []).append(int(r[0]))
print(f"{'  p50 by kind of query (ms)':<62} " + ", ".join(f"{c} {statistics.median(v) / 1000:.1f}" for c, v in classes.items()))
slow = sorted(rows, key=lambda r: -int(r[0]))[:3]
print(f"{'  queries with no result / with 20':<62} {sum(h == 0 for h in hits):>8} / {sum(h == 20 for h in hits):<7} slowest: " + "; ".join(f"{r[3]} ({int(r[0]) / 1000:.1f} ms)" for r in slow))
PY

s=$(median_ms "$R/phr-record" search plage -n 20 --json)
l=$(median_ms "$R/phr-record" list -n 20 --json)
row "phr-record search plage -n 20 --json, one process (median of $RUNS)" "$s ms" "phr-record list -n 20 --json: $l ms, ratio $(python3 -c "print(f'{$s/$l:.2f}')")"
