#!/usr/bin/env bash
# Measures a sweep against one replicate, in one session: one `dtc replicate`, then a 10-seed × 3-method
# `dtc sweep --jobs <cores>` on mnist-sample, each under GNU time. Writes a JSON record of the wall times, the
# share of the cores the sweep kept busy ((user + system) / (wall × cores)) and its peak memory.
#
#   bench/sweep/measure.sh [out.json]      (default docs/data/sweep-performance.json; needs /usr/bin/time)
#
# Run it on an otherwise idle machine, after `dotnet build Dtc.sln -c Release`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/docs/data/sweep-performance.json}
dtc=(dotnet "$repo/src/Dtc.Cli/bin/Release/net10.0/dtc.dll")
[ -x /usr/bin/time ] || { echo "bench/sweep/measure.sh needs GNU time (apt-get install time)"; exit 1; }
cores=$(nproc)
seeds=10
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

measure() { # name, command…: runs it under GNU time, leaves "wall user system peak_kib" in $tmp/name.t
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/$name.t" "$@" >"$tmp/$name.log" 2>&1 \
    || { tail -n 20 "$tmp/$name.log"; echo "FAILED: $*"; exit 1; }
}

measure replicate "${dtc[@]}" replicate --out "$tmp/replicate"
measure sweep "${dtc[@]}" sweep --seeds "$seeds" --jobs "$cores" --out "$tmp/sweep"

read -r rw ru rs rm <"$tmp/replicate.t"
read -r sw su ss sm <"$tmp/sweep.t"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
python3 - "$out" <<PY
import json, sys
r = dict(date="$(date -u +%Y-%m-%d)", machine="$cpu", cores=$cores, dtcCommit="$commit", seeds=$seeds, methods=3, jobs=$cores,
         replicateSeconds=$rw, sweepSeconds=$sw, sweepOverReplicate=round($sw / $rw, 2),
         coresBusy=round(($su + $ss) / ($sw * $cores), 3), sweepPeakMiB=round($sm / 1024), replicatePeakMiB=round($rm / 1024))
with open(sys.argv[1] + ".tmp", "w") as f: json.dump(r, f, indent=2); f.write("\n")
import os; os.replace(sys.argv[1] + ".tmp", sys.argv[1])
print(json.dumps(r))
PY
