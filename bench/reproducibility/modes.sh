#!/usr/bin/env bash
# The time cost of each reproducibility mode (machine, portable, fastest): interleaved runs of the whole
# `dtc replicate` on mnist-sample, the order turning from round to round (the VM's speed drifts from minute to
# minute, so modes are compared within a round). Every time is the whole command's wall time, from process
# start to exit. Each run's digest is kept: within a mode, every round must give the same one.
#
#   dotnet build -c Release
#   bench/reproducibility/modes.sh [rounds] [out.json]   # default 3 rounds, about 3 minutes each
#
# With a second argument the rounds are also written there as JSON (docs/data/reproducibility-modes.json is
# the recorded one, rendered by the docs' performance page).
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=${1:-3}
out=${2:-}
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "Expecting a positive number of rounds but received '$rounds'" >&2; exit 2; }
dtc=src/Dtc.Cli/bin/Release/net10.0/dtc.dll
[ -f "$dtc" ] || { echo "Expecting $dtc: run 'dotnet build -c Release' first" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs replicate in one mode quietly; prints its wall seconds and the digest of its numbers.
run() {
  local mode=$1 start=$EPOCHREALTIME
  rm -rf "$work/$mode"
  MALLOC_ARENA_MAX=2 dotnet "$dtc" replicate --threads 2 --reproducible "$mode" --out "$work/$mode" > "$work/log" 2>&1 ||
    { cat "$work/log" >&2; echo "FAILED: dtc replicate --reproducible $mode" >&2; exit 1; }
  local seconds digest
  seconds=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  digest=$(grep -o '"digest": "[0-9a-f]*"' "$work/$mode/results.json" | head -n 1 | grep -o '[0-9a-f]\{64\}')
  echo "$seconds $digest"
}

modes=(machine portable fastest)
rows=()
printf '%-6s %12s %13s %12s %18s %18s\n' round "machine (s)" "portable (s)" "fastest (s)" "machine/fastest" "portable/fastest"
for ((r = 0; r < rounds; r++)); do
  declare -A seconds=() digests=()
  for ((k = 0; k < 3; k++)); do
    mode=${modes[$(((k + r) % 3))]}
    read -r s d < <(run "$mode")
    seconds[$mode]=$s
    digests[$mode]=$d
  done
  awk -v r=$((r + 1)) -v m="${seconds[machine]}" -v p="${seconds[portable]}" -v f="${seconds[fastest]}" \
    'BEGIN { printf "%-6d %12.1f %13.1f %12.1f %17.2fx %17.2fx\n", r, m, p, f, m / f, p / f }'
  rows+=("${seconds[machine]} ${seconds[portable]} ${seconds[fastest]} ${digests[machine]} ${digests[portable]} ${digests[fastest]}")
  unset seconds digests
done

if [ -n "$out" ]; then
  # Written to a temporary file beside the target, then renamed: no partial file on failure.
  printf '%s\n' "${rows[@]}" | /usr/bin/python3 -c '
import datetime, json, os, platform, subprocess, sys
out = sys.argv[1]
keys = ("machineSeconds", "portableSeconds", "fastestSeconds", "machineDigest", "portableDigest", "fastestDigest")
rounds = []
for line in sys.stdin:
    if line.strip():
        v = line.split()
        r = dict(zip(keys, [float(x) for x in v[:3]] + v[3:]))
        r["machineOverFastest"] = r["machineSeconds"] / r["fastestSeconds"]
        r["portableOverFastest"] = r["portableSeconds"] / r["fastestSeconds"]
        rounds.append(r)
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
record = {"recordedUtc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
          "machine": f"{platform.platform()}, {model}, {os.cpu_count()} cores", "dtcCommit": commit or "unknown",
          "command": "dtc replicate --threads 2 --reproducible MODE (MALLOC_ARENA_MAX=2)", "rounds": rounds}
with open(out + ".tmp", "w") as f:
    json.dump(record, f, indent=1)
os.replace(out + ".tmp", out)
' "$out"
  echo "Wrote $out"
fi
