#!/usr/bin/env bash
# Benchmark of the taskctl job queue, printing rates and ratios against peers run in the same
# go on the same machine: xargs -P (always), task-spooler (`tsp`, Debian task-spooler) and
# pueue (`cargo install pueue`) when installed. Figures depend on the machine: quote them with
# the machine they were measured on. Sizes can be lowered for a quick run:
#   N_BATCH=20000 N_ADD=500 N_TRUE=1000 bench/queue.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
T=$PWD/target/release/taskctl
N_BATCH=${N_BATCH:-200000}   # jobs for batched enqueue and noop claim+complete
N_ADD=${N_ADD:-2000}         # one-process-per-job adds
N_QUEUED=${N_QUEUED:-100000} # jobs already queued for the "add into a big queue" run
N_TRUE=${N_TRUE:-5000}       # /bin/true jobs
N_PEER=${N_PEER:-500}        # jobs for task-spooler / pueue (tsp caps its queue at 1000)
J=${J:-$(nproc)}

W=$(mktemp -d)
cleanup() {
  [ -n "${WORKER:-}" ] && kill "$WORKER" 2>/dev/null || true
  command -v tsp >/dev/null && TS_SOCKET=$W/tsp.sock tsp -K 2>/dev/null || true
  [ -n "${PUEUED:-}" ] && { kill "$PUEUED" 2>/dev/null; wait "$PUEUED" 2>/dev/null; } || true
  rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
export PHR_DATA_DIR=$W/data PHR_CONFIG=$W/phr.toml
: > "$PHR_CONFIG"

now() { date +%s.%N; }
rate() { python3 -c "print(f'{$1/($3-$2):,.0f}')"; }
ratio() { python3 -c "print(f'{($1)/($2):.2f}')"; }
row() { printf '%-58s %14s %s\n' "$1" "$2" "${3:-}"; }
jobs_lines() { python3 -c "
import sys
n, extra = int(sys.argv[1]), sys.argv[2]
sys.stdout.write(''.join('{\"function\":\"%s\",\"args\":[\"%d\"]%s}\n' % (sys.argv[3], i, extra) for i in range(n)))" "$@"; }
sequential_adds() { local n=$1; local t0; t0=$(now); for ((i = 0; i < n; i++)); do "$T" add noop "$i" >/dev/null; done; rate "$n" "$t0" "$(now)"; }
parallel_adds() { local n=$1; local t0; t0=$(now); seq "$n" | xargs -P 4 -I{} "$T" add noop {} >/dev/null; rate "$n" "$t0" "$(now)"; }
spawn_rate() {
  local t0; t0=$(now)
  if [ "$1" = seq ]; then for ((i = 0; i < N_ADD; i++)); do /bin/true; done; else seq "$N_ADD" | xargs -P 4 -I{} /bin/true; fi
  rate "$N_ADD" "$t0" "$(now)"
}

echo "phr-tasks queue benchmark — $(nproc) cores, $(date -u +%Y-%m-%d), -j $J"
printf '%-58s %14s %s\n' "measure" "rate (jobs/s)" "target / peer"

"$T" list > /dev/null # create the store first: the figure is for adding, not for creating a database
jobs_lines "$N_BATCH" "" noop > "$W/batch.jsonl"
t0=$(now); "$T" add --batch < "$W/batch.jsonl" > /dev/null; t1=$(now)
row "batched enqueue ($N_BATCH jobs, one transaction)" "$(rate "$N_BATCH" "$t0" "$t1")" "target >= 200,000"

t0=$(now); "$T" work -j "$J" --until-empty; t1=$(now)
row "noop claim+complete ($N_BATCH jobs, -j $J)" "$(rate "$N_BATCH" "$t0" "$t1")" "target >= 50,000"
"$T" purge --status done 2>/dev/null

# One process per job, as a shell loop or a crontab line would add them. Process start-up
# is the floor here, so /bin/true started the same way is printed alongside.
true_seq=$(spawn_rate seq)
true_par=$(spawn_rate par)
add_empty=$(sequential_adds "$N_ADD")
row "taskctl add, one process per job, one at a time" "$add_empty" "target >= 1,000; /bin/true the same way: $true_seq/s"
add_empty_par=$(parallel_adds "$N_ADD")
row "taskctl add, one process per job, 4 at a time" "$add_empty_par" "/bin/true the same way: $true_par/s"
"$T" purge 2>/dev/null
jobs_lines "$N_QUEUED" ',"in":"1d"' noop | "$T" add --batch > /dev/null
add_full=$(sequential_adds "$N_ADD")
row "  the same, one at a time, $N_QUEUED jobs queued" "$add_full" "ratio to empty queue: $(ratio "${add_full//,/}" "${add_empty//,/}") (target: flat)"
add_full_par=$(parallel_adds "$N_ADD")
row "  the same, 4 at a time, $N_QUEUED jobs queued" "$add_full_par" "ratio to empty queue: $(ratio "${add_full_par//,/}" "${add_empty_par//,/}")"
"$T" purge 2>/dev/null

# /bin/true jobs against xargs -P, three rounds alternating, medians: this VM's speed wanders.
true_rates=(); xargs_rates=()
for round in 1 2 3; do
  jobs_lines "$N_TRUE" ',"file":"/bin/true"' true | "$T" add --batch > /dev/null
  t0=$(now); "$T" work -j "$J" --until-empty; t1=$(now)
  true_rates+=("$(rate "$N_TRUE" "$t0" "$t1")")
  "$T" purge --status done 2>/dev/null
  t0=$(now); seq "$N_TRUE" | xargs -P "$J" -n 1 /bin/true; t1=$(now)
  xargs_rates+=("$(rate "$N_TRUE" "$t0" "$t1")")
done
median() { printf '%s\n' "$@" | tr -d , | sort -n | sed -n 2p; }
true_rate=$(median "${true_rates[@]}"); xargs_rate=$(median "${xargs_rates[@]}")
row "/bin/true jobs, taskctl work -j $J ($N_TRUE jobs, median of 3)" "$true_rate" "xargs -P $J: $xargs_rate/s, ratio $(ratio "$true_rate" "$xargs_rate") (target >= 0.9)"
row "  the three rounds" "" "taskctl: ${true_rates[*]}; xargs: ${xargs_rates[*]}"

# Latency from `taskctl add` returning to the job starting, with an idle worker waiting.
"$T" work -j 1 2>/dev/null & WORKER=$!
sleep 0.5
for i in $(seq 50); do "$T" add noop "lat$i" >/dev/null; sleep 0.02; done
sleep 0.5; kill "$WORKER"; wait "$WORKER" 2>/dev/null || true; WORKER=
"$T" list --status done --json | python3 -c '
import json, sys, datetime
p = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
lat = sorted((p(j["started_at"]) - p(j["created_at"])).total_seconds() * 1000 for j in json.load(sys.stdin)["jobs"])
print("%-58s %14s %s" % ("add -> start latency, idle worker (ms, %d jobs)" % len(lat),
      "p50 %.2f" % lat[len(lat) // 2], "max %.2f, target < 5 ms" % lat[-1]))'
"$T" purge --status done 2>/dev/null

if command -v tsp >/dev/null; then
  export TS_SOCKET=$W/tsp.sock TS_MAXFINISHED=$N_PEER TS_SAVELIST=
  tsp -S "$J" >/dev/null
  t0=$(now); for ((i = 0; i < N_PEER; i++)); do tsp -n /bin/true >/dev/null; done; t1=$(now); tsp -w >/dev/null 2>&1 || true; t2=$(now)
  row "task-spooler: tsp -n /bin/true adds ($N_PEER)" "$(rate "$N_PEER" "$t0" "$t1")" "taskctl add: $add_empty/s"
  row "task-spooler: add+run /bin/true, -S $J, end to end" "$(rate "$N_PEER" "$t0" "$t2")" "taskctl work: $true_rate/s"
  tsp -K 2>/dev/null || true
else
  row "task-spooler" "not installed" "(apt-get install task-spooler)"
fi

if command -v pueue >/dev/null && command -v pueued >/dev/null; then
  mkdir -p "$W/pueue"
  cat > "$W/pueue.yml" <<YML
shared:
  pueue_directory: $W/pueue
  runtime_directory: $W/pueue
YML
  pueued -c "$W/pueue.yml" >/dev/null 2>&1 & PUEUED=$!
  sleep 1
  pueue -c "$W/pueue.yml" parallel "$J" >/dev/null
  t0=$(now); for ((i = 0; i < N_PEER; i++)); do pueue -c "$W/pueue.yml" add -- /bin/true >/dev/null; done; t1=$(now)
  pueue -c "$W/pueue.yml" wait >/dev/null 2>&1 || true; t2=$(now)
  row "pueue: add /bin/true ($N_PEER)" "$(rate "$N_PEER" "$t0" "$t1")" "taskctl add: $add_empty/s"
  row "pueue: add+run /bin/true, parallel $J, end to end" "$(rate "$N_PEER" "$t0" "$t2")" "taskctl work: $true_rate/s"
else
  row "pueue" "not installed" "(cargo install pueue)"
fi
