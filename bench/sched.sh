#!/usr/bin/env bash
# Benchmark of tasksched: its idle RSS and CPU over 30 s (IDLE_SECS), the delay from
# `taskctl start TASK` to the task's worker running (its pidfile written right after the
# fork), and from a job becoming due to it starting
# with an idle queue task. Targets: RSS < 10 MB, CPU ~ 0, delays < 100 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=$PWD/target/release
IDLE_SECS=${IDLE_SECS:-30}
W=$(mktemp -d)
cleanup() { [ -n "${SCHED:-}" ] && kill "$SCHED" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
export PHR_DATA_DIR=$W/data PHR_CONFIG=$W/phr.toml
mkdir -p "$W/tasks.d"
printf '[scheduler]\nstop_grace = "5s"\n' > "$PHR_CONFIG"
printf 'kind = "queue"\n[settings]\njobs = 2\n' > "$W/tasks.d/jobs.toml"
printf 'kind = "exec"\nperiod = "1h"\n[settings]\ncommand = ["true"]\n' > "$W/tasks.d/hourly.toml"
printf 'kind = "exec"\nperiod = "1h"\nautostart = false\n[settings]\ncommand = ["sh", "-c", "date +%%s%%N > %s/probe"]\n' "$W" > "$W/tasks.d/probe.toml"

"$BIN/tasksched" -f 2>"$W/sched.log" & SCHED=$!
sleep 2
echo "tasksched benchmark — $(nproc) cores, $(date -u +%Y-%m-%d)"
python3 - "$SCHED" "$IDLE_SECS" <<'PY'
import os, sys, time
pid, secs = int(sys.argv[1]), float(sys.argv[2])
tick = os.sysconf("SC_CLK_TCK")
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tick
def rss_kb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
c0 = cpu(); time.sleep(secs); c1 = cpu()
print(f"{'scheduler idle RSS':<52} {rss_kb() / 1024:8.1f} MB   target < 10 MB")
print(f"{'scheduler idle CPU over %d s' % secs:<52} {100 * (c1 - c0) / secs:8.3f} %    target ~ 0 ({c1 - c0:.2f} s of CPU)")
PY

python3 - "$BIN/taskctl" "$W" <<'PY'
import json, os, subprocess, sys, time
taskctl, w = sys.argv[1], sys.argv[2]
run = lambda *a: subprocess.run([taskctl, *a], check=True, capture_output=True, text=True).stdout
def state():
    return [t for t in json.loads(run("status", "--json"))["tasks"] if t["name"] == "probe"][0]["state"]
delays = []
pidfile = os.path.join(w, "data", "run", "tasks", "probe.pid")
for _ in range(10):
    t0 = time.time_ns()
    run("start", "probe")
    while not os.path.exists(pidfile):
        time.sleep(0.0002)
    delays.append((time.time_ns() - t0) / 1e6)
    run("stop", "probe")
    while os.path.exists(pidfile) or state() != "stopped":
        time.sleep(0.01)
delays.sort()
print(f"{'taskctl start TASK -> its worker running (10 runs)':<52} p50 {delays[5]:.1f} ms, max {delays[-1]:.1f} ms   target < 100 ms")

from datetime import datetime
parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
lags = []
for _ in range(20):
    jid = run("add", "noop", "--in", "300ms").strip()
    time.sleep(0.45)
    job = json.loads(run("show", jid, "--json"))
    if job["started_at"]:
        lags.append((parse(job["started_at"]) - parse(job["due_at"])) * 1000)
lags.sort()
print(f"{'job due -> started, idle queue task (20 jobs)':<52} p50 {lags[len(lags) // 2]:.1f} ms, max {lags[-1]:.1f} ms   target < 100 ms ({len(lags)} started)")
PY
