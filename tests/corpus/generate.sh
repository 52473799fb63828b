#!/usr/bin/env bash
# Regenerates tests/corpus/files/ from the gen_*.py scripts beside this file (Debian's Python, standard
# library only). The files are committed; the tests never run this.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p files
for g in gen_*.py; do
  [ -e "$g" ] || continue
  echo "==> $g"
  /usr/bin/python3 "$g" files
done
