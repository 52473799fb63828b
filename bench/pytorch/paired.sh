#!/usr/bin/env bash
# Interleaved runs of `dtc replicate` and of the PyTorch baseline (bench/pytorch/protocol.py, its methods one
# after another and at the same time) on mnist-sample. The VM's speed drifts by 15-25 % from minute to
# minute, so each comparison is made within one round, and the order turns from round to round. Every time
# is the whole command's wall time, from process start to exit (dtc's includes writing its report).
#
#   dotnet build -c Release
#   apt-get install python3-torch python3-sklearn python3-scipy libopenblas0-pthread
#   bench/pytorch/paired.sh [rounds]        # default 3 rounds, about 2.5 minutes each
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=${1:-3}
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
    dtc) MALLOC_ARENA_MAX=2 wall dotnet "$dtc" replicate --threads 2 --out "$work/dtc" ;;
    pytorch) wall "$python" bench/pytorch/protocol.py ;;
    pytorch-concurrent) wall "$python" bench/pytorch/protocol.py --concurrent ;;
  esac
}

kinds=(dtc pytorch pytorch-concurrent)
printf '%-6s %8s %10s %21s %18s %29s\n' round "dtc (s)" "PyTorch (s)" "PyTorch concurrent (s)" "PyTorch / dtc" "PyTorch concurrent / dtc"
for ((r = 0; r < rounds; r++)); do
  declare -A seconds=()
  for ((k = 0; k < 3; k++)); do
    kind=${kinds[$(((k + r) % 3))]}
    seconds[$kind]=$(run "$kind")
  done
  awk -v r=$((r + 1)) -v d="${seconds[dtc]}" -v p="${seconds[pytorch]}" -v c="${seconds[pytorch-concurrent]}" \
    'BEGIN { printf "%-6d %8.1f %10.1f %21.1f %17.2fx %28.2fx\n", r, d, p, c, p / d, c / d }'
  unset seconds
done
