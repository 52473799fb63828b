#!/usr/bin/env bash
# Starts a real single-node Slurm (munged, slurmctld, slurmd; as root, no systemd, everything in one temporary
# directory), checks it with a trivial 4-task job array, then runs the same sweep twice, with the local executor
# and as a Slurm job array, and checks that both analyses are equal bit for bit.
#
#   bash tests/slurm/run.sh            (from .ci/run, after the solution is built in Release)
#
# DTC     the dtc command, split on spaces (default: dotnet src/Dtc.Cli/bin/Release/net10.0/dtc.dll);
#         this script does not build it.
# DTC_SLURM_TIMEOUT  seconds allowed for the Slurm sweep's array (default 1800)
# DTC_SLURM_KEEP=1   keep the temporary directory (its path is printed) instead of removing it
#
# Prints one summary line per part, "PASSED: …" or "SKIPPED: …"; on failure "FAILED: …" with the tails of the
# logs, and exits 1. Without Slurm and no way to install it (no apt-get, not root), it prints
# "SKIPPED: Slurm test: <why>" and exits 0. Only the daemons this script started are ever stopped (by PID), on
# success, failure and Ctrl+C; a Slurm or munged already running elsewhere on the machine is left alone (own
# ports 16817/16818, own MUNGE socket).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
DTC=${DTC:-dotnet $repo/src/Dtc.Cli/bin/Release/net10.0/dtc.dll}
read -r -a dtc <<<"$DTC"

skip() { echo "SKIPPED: Slurm test: $*"; exit 0; }

# --- Slurm and MUNGE installed? ---------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || skip "needs root (the daemons run as root with SlurmUser=root)"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || skip "slurmctld is not installed and there is no apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt_out=$(apt-get install -y -q slurm-wlm munge 2>&1); then
    # A fresh machine may have no package lists yet.
    apt-get update -q >/dev/null 2>&1 || true
    apt_out=$(apt-get install -y -q slurm-wlm munge 2>&1) \
      || skip "apt-get install slurm-wlm munge failed: $(printf '%s\n' "$apt_out" | tail -n 1)"
  fi
fi
for c in slurmctld slurmd sinfo sbatch squeue scancel munged munge unmunge setpriv setsid; do
  command -v "$c" >/dev/null || skip "$c is missing after installing slurm-wlm and munge"
done

"${dtc[@]}" --help >/dev/null 2>&1 \
  || { echo "FAILED: Slurm test: cannot run '$DTC' (build the solution first: dotnet build Dtc.sln -c Release)"; exit 1; }

# --- A temporary directory, and a trap that stops exactly what this script started --------------------------
tmp=$(mktemp -d -t dtc-slurm.XXXXXX)
chmod 711 "$tmp"   # the munge user must reach its own subdirectory
export SLURM_CONF=$tmp/slurm.conf
pids=()            # daemons started, in order: munged, slurmctld, slurmd
ctld_pid=""

now() { echo "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

cleanup() {
  local rc=$?
  trap '' INT TERM
  set +e
  # Jobs first (their slurmstepd processes outlive slurmd), while our controller still answers.
  if alive "$ctld_pid"; then
    local jobs
    jobs=$(timeout --foreground 10 squeue -h -o %A 2>/dev/null)
    if [ -n "$jobs" ]; then
      timeout --foreground 10 scancel $jobs 2>/dev/null
      for _ in $(seq 20); do [ -z "$(timeout --foreground 5 squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.5; done
    fi
  fi
  local i pid
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    alive "$pid" || continue
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ "${DTC_SLURM_KEEP:-0}" = 1 ]; then echo "Slurm test: kept $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "INTERRUPTED: Slurm test: stopping the daemons it started"; exit 130' INT
trap 'exit 143' TERM

# Prints the tails of the daemons' logs and of any further files given, then fails.
die() {
  local msg=$1; shift
  local f d logs=()
  # A daemon in the foreground logs to its .log file and to stderr (.out); the latter alone before the file opens.
  for d in slurmctld slurmd; do
    if [ -s "$tmp/$d.log" ]; then logs+=("$tmp/$d.log"); else logs+=("$tmp/$d.out"); fi
  done
  for f in "$tmp"/munged.out "${logs[@]}" "$@"; do
    [ -s "$f" ] || continue
    echo "--- ${f#"$tmp"/} (last 25 lines)"
    tail -n 25 "$f"
  done
  echo "FAILED: Slurm test: $msg"
  exit 1
}

t_start=$(now)

# --- munged: own socket, pid and seed files; own key unless the machine has one (logs to munged.out) ------------
mkdir -p "$tmp/munge"
key=/etc/munge/munge.key
if [ ! -f "$key" ]; then
  key=$tmp/munge/munge.key
  if ! mungekey --create --keyfile="$key" 2>/dev/null; then
    dd if=/dev/urandom of="$key" bs=1 count=1024 status=none
  fi
fi
chown -R munge:munge "$tmp/munge"
chmod 755 "$tmp/munge"
[ "$key" = "$tmp/munge/munge.key" ] && chmod 600 "$key"
socket=$tmp/munge/munge.socket
# Each daemon gets its own session (setsid), so that a Ctrl+C on the terminal reaches this script, whose trap
# cancels the jobs before stopping the daemons, rather than the daemons themselves. setsid and setpriv exec (no
# fork: a background job of a non-interactive shell is no process group leader), so $! is the daemon itself.
setsid setpriv --reuid=munge --regid=munge --init-groups \
  munged --foreground --socket="$socket" --key-file="$key" --pid-file="$tmp/munge/munged.pid" \
  --seed-file="$tmp/munge/munged.seed" >"$tmp/munged.out" 2>&1 &
pids+=($!)
munge_pid=$!
for _ in $(seq 100); do
  munge -n -S "$socket" 2>/dev/null | unmunge -S "$socket" >/dev/null 2>&1 && break
  alive "$munge_pid" || break
  sleep 0.1
done
munge -n -S "$socket" 2>/dev/null | unmunge -S "$socket" >/dev/null 2>&1 \
  || die "munged did not start"

# --- slurm.conf from the template and `slurmd -C` ------------------------------------------------------------------
node_line=$(slurmd -C | head -n 1)
node=$(sed -n 's/^NodeName=\([^ ]*\).*/\1/p' <<<"$node_line")
[ -n "$node" ] || die "slurmd -C printed no NodeName= line: $node_line"
sed -e "s|@HOST@|$(hostname -s)|" -e "s|@DIR@|$tmp|g" -e "s|@MUNGE_SOCKET@|$socket|" \
  "$here/slurm.conf.template" >"$SLURM_CONF"
echo "$node_line" >>"$SLURM_CONF"
mkdir -p "$tmp/state" "$tmp/spool"

# --- slurmctld and slurmd in the foreground, backgrounded here ------------------------------------------------------
setsid slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
pids+=($!)
ctld_pid=$!
setsid slurmd -D -N "$node" -f "$SLURM_CONF" >"$tmp/slurmd.out" 2>&1 &
pids+=($!)
slurmd_pid=$!

state=""
for _ in $(seq 120); do
  state=$(timeout --foreground 5 sinfo -h -n "$node" -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  alive "$ctld_pid" || die "slurmctld exited"
  alive "$slurmd_pid" || die "slurmd exited"
  sleep 0.5
done
[ "$state" = idle ] || die "node $node is not idle after 60 s (sinfo says '${state:-nothing}')"
t_up=$(now)

# --- A trivial array ---------------------------------------------------------------------------------------------------
mkdir -p "$tmp/array"
timeout --foreground 120 sbatch --array=0-3 --wait --quiet --chdir="$tmp/array" --output="$tmp/array/task-%a.out" \
  --wrap 'echo task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT' >"$tmp/array/sbatch.log" 2>&1 \
  || die "the trivial array (sbatch --array=0-3 --wait) failed" "$tmp/array/sbatch.log" "$tmp"/array/task-*.out
for i in 0 1 2 3; do
  got=$(cat "$tmp/array/task-$i.out" 2>/dev/null || true)
  [ "$got" = "task $i of 4" ] \
    || die "expecting 'task $i of 4' in array task $i's output but found '$got'" "$tmp"/array/task-*.out
done
t_array=$(now)
echo "PASSED: Slurm $(sinfo -V | sed 's/^slurm[^ ]* //') single node up in $(secs "$t_start" "$t_up") s, 4-task array in $(secs "$t_up" "$t_array") s"


# --- The sweep: the local executor, then the same sweep as a Slurm array, then both analyses compared ------------
sweep=(sweep --seeds 4 --hidden 64 --batches-per-cycle 20)

"${dtc[@]}" "${sweep[@]}" --jobs 2 --out "$tmp/local" >"$tmp/local.log" 2>&1 \
  || die "the local sweep failed: $DTC ${sweep[*]} --jobs 2 --out $tmp/local" "$tmp/local.log"

"${dtc[@]}" "${sweep[@]}" --out "$tmp/slurm" --emit slurm --shards 4 >"$tmp/emit.log" 2>&1 \
  || die "emitting the Slurm sweep failed: $DTC ${sweep[*]} --out $tmp/slurm --emit slurm --shards 4" "$tmp/emit.log"
for f in sweep.json sweep.sbatch; do
  [ -f "$tmp/slurm/$f" ] || die "expecting --emit slurm to write $f but it did not" "$tmp/emit.log"
done
# Slurm does not create an --output file's directory: a task whose log directory is missing fails.
[ -d "$tmp/slurm/logs" ] || die "expecting --emit slurm to create the folder's logs/ (the tasks' --output)" "$tmp/emit.log"
grep -q '^#SBATCH --array=0-3$' "$tmp/slurm/sweep.sbatch" \
  || die "expecting '#SBATCH --array=0-3' in sweep.sbatch" "$tmp/slurm/sweep.sbatch"

t_sweep=$(now)
if ! timeout --foreground "${DTC_SLURM_TIMEOUT:-1800}" sbatch --wait --quiet --chdir="$tmp/slurm" "$tmp/slurm/sweep.sbatch" \
  >"$tmp/sbatch.log" 2>&1; then
  die "the Slurm sweep (sbatch --wait sweep.sbatch) failed or timed out" \
    "$tmp/slurm/sweep.sbatch" "$tmp/sbatch.log" "$tmp"/slurm/logs/*
fi
t_swept=$(now)

for d in local slurm; do
  "${dtc[@]}" analyze "$tmp/$d" >"$tmp/analyze-$d.log" 2>&1 \
    || die "$DTC analyze $tmp/$d failed" "$tmp/analyze-$d.log"
  [ -f "$tmp/$d/sweep-analysis.json" ] \
    || die "expecting dtc analyze to write $d/sweep-analysis.json but it did not" "$tmp/analyze-$d.log"
done

if ! cmp -s "$tmp/local/sweep-analysis.json" "$tmp/slurm/sweep-analysis.json"; then
  echo "--- first differences (local vs slurm sweep-analysis.json)"
  diff "$tmp/local/sweep-analysis.json" "$tmp/slurm/sweep-analysis.json" | head -n 20 || true
  echo "FAILED: Slurm array sweep (4 tasks) differs from the local executor"
  exit 1
fi
echo "PASSED: Slurm array sweep (4 tasks) equals the local executor bit for bit ($(secs "$t_sweep" "$t_swept") s)"
