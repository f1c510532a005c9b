#!/usr/bin/env bash
# Measures `amcash reconcile` on a generated daily file of N detail records (default 1,000,000):
# elapsed time and peak memory (maximum resident set size), to show the file is streamed, not loaded.
#
#   scripts/bench-reconcile.sh [N] [debug|release]      (defaults: 1000000, debug)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000000}"
configuration="${2:-debug}"
swift build -c "$configuration" --product amcash >/dev/null
binary="$(swift build -c "$configuration" --show-bin-path)/amcash"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 - "$count" "$work/daily.txt" <<'PY'
import sys
count, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as out:
    out.write("H1%%AMCASHRECON%%1%%LOY1%%20261128\n")
    out.write("H2%%2026-11-27T00:00:00-05:00%%2026-11-28T00:00:00-05:00%%2026-11-27\n")
    miles = cents = 0
    for i in range(count):
        units = 1 + i % 75
        miles += units * 95
        cents += units * 1000
        out.write(f"D%%REDEEM%%2026-11-27T13:00:00-05:00%%LOY1%%0001%%001%%LOY10001001%%{i + 1:012d}%%8100{i:07d}%%{units}%%{units * 95}%%{units * 10}.00%%RD{i:010d}%%\n")
    out.write(f"T1%%{count}%%{count}%%0\n")
    out.write(f"T2%%{miles}%%{cents // 100}.{cents % 100:02d}%%0%%0.00\n")
PY
echo "file: $count detail records, $(du -h "$work/daily.txt" | cut -f1)"

# An empty journal to reconcile against (reconcile refuses a --journal that does not exist).
printf 'journalPath = "%s"\n' "$work/journal.sqlite" > "$work/terminal.toml"
"$binary" journal --config "$work/terminal.toml" > /dev/null

set +e
/usr/bin/time -f "elapsed %e s, peak memory %M KiB" "$binary" reconcile "$work/daily.txt" \
    --journal "$work/journal.sqlite" --max-breaks 5 --json > "$work/report.json" 2> "$work/time.txt"
status=$?
set -e
tail -1 "$work/time.txt"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("classified:", {l["classification"]: l["count"] for l in r["summary"] if l["count"]}, "listed breaks:", len(r["breaks"]), "+", r["breaksNotListed"])' "$work/report.json"
echo "exit status $status (1 = breaks found, as expected: the journal is empty)"
