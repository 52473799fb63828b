#!/usr/bin/env bash
# Interleaved runs of `dtc replicate` and of the PyTorch baseline (bench/pytorch/protocol.py, its methods one
# after another and at the same time) on mnist-sample. The VM's speed drifts by 15-25 % from minute to
# minute, so each comparison is made within one round, and the order turns from round to round. Every time
# is the whole command's wall time, from process start to exit (dtc's includes writing its report).
#
#   dotnet build -c Release
#   apt-get install python3-torch python3-sklearn python3-scipy libopenblas0-pthread
#   bench/pytorch/paired.sh [rounds] [out.json]   # default 3 rounds, about 2.5 minutes each
#
# With a second argument the rounds are also written there as JSON (docs/data/pytorch-paired.json is the
# recorded one, rendered by the docs' performance page).
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=${1:-3}
out=${2:-}
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "Expecting a positive number of rounds but received '$rounds'" >&2; exit 2; }
dtc=src/Dtc.Cli/bin/Release/net10.0/dtc.dll
[ -f "$dtc" ] || { echo "Expecting $dtc: run 'dotnet build -c Release' first" >&2; exit 2; }
python=/usr/bin/python3
"$python" -c "import torch, sklearn, scipy" 2>/dev/null ||
  { echo "Expecting PyTorch, scikit-learn and SciPy for $python: apt-get install python3-torch python3-sklearn python3-scipy libopenblas0-pthread" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs a command quietly and prints its wall seconds; shows its output and stops if it fails.
wall() {
  local start=$EPOCHREALTIME
  "$@" > "$work/log" 2>&1 || { cat "$work/log" >&2; echo "FAILED: $*" >&2; exit 1; }
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

run() {
  case $1 in
    dtc) MALLOC_ARENA_MAX=2 wall dotnet "$dtc" replicate --threads 2 --force --out "$work/dtc" ;;
    pytorch) wall "$python" bench/pytorch/protocol.py ;;
    pytorch-concurrent) wall "$python" bench/pytorch/protocol.py --concurrent ;;
  esac
}

kinds=(dtc pytorch pytorch-concurrent)
rows=()
printf '%-6s %8s %10s %21s %18s %29s\n' round "dtc (s)" "PyTorch (s)" "PyTorch concurrent (s)" "PyTorch / dtc" "PyTorch concurrent / dtc"
for ((r = 0; r < rounds; r++)); do
  declare -A seconds=()
  for ((k = 0; k < 3; k++)); do
    kind=${kinds[$(((k + r) % 3))]}
    seconds[$kind]=$(run "$kind")
  done
  awk -v r=$((r + 1)) -v d="${seconds[dtc]}" -v p="${seconds[pytorch]}" -v c="${seconds[pytorch-concurrent]}" \
    'BEGIN { printf "%-6d %8.1f %10.1f %21.1f %17.2fx %28.2fx\n", r, d, p, c, p / d, c / d }'
  rows+=("${seconds[dtc]} ${seconds[pytorch]} ${seconds[pytorch-concurrent]}")
  unset seconds
done

if [ -n "$out" ]; then
  # Written to a temporary file beside the target, then renamed: no partial file on failure.
  printf '%s\n' "${rows[@]}" | "$python" -c '
import datetime, json, os, platform, subprocess, sys, torch, sklearn
out = sys.argv[1]
rounds = [dict(zip(("dtcSeconds", "pytorchSeconds", "pytorchConcurrentSeconds"), map(float, line.split())))
          for line in sys.stdin if line.strip()]
for r in rounds:
    r["pytorchOverDtc"] = r["pytorchSeconds"] / r["dtcSeconds"]
    r["pytorchConcurrentOverDtc"] = r["pytorchConcurrentSeconds"] / r["dtcSeconds"]
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
record = {"recordedUtc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
          "machine": f"{platform.platform()}, {os.cpu_count()} cores", "dtcCommit": commit or "unknown",
          "dtc": "dtc replicate --threads 2 (MALLOC_ARENA_MAX=2)", "torch": torch.__version__, "sklearn": sklearn.__version__,
          "pytorch": "bench/pytorch/protocol.py", "pytorchConcurrent": "bench/pytorch/protocol.py --concurrent",
          "rounds": rounds}
with open(out + ".tmp", "w") as f:
    json.dump(record, f, indent=1)
os.replace(out + ".tmp", out)
' "$out"
  echo "Wrote $out"
fi
