#!/usr/bin/env bash
# `vigil profile` and `vigil drift` on profiles: shards profiled together
# bin like the whole (so the profile of two halves equals the profile of the
# file), a current profile made with --reference compares like the current
# CSV itself, and a current profile with its own bins is refused by name.
#   cli_profile_test.sh <vigil> <drift data dir>
set -euo pipefail
vigil=$1 data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3

head -n 201 "$data/reference.csv" > "$tmp/part1.csv"
{ head -n 1 "$data/reference.csv"; tail -n +202 "$data/reference.csv"; } > "$tmp/part2.csv"
"$vigil" profile "$data/reference.csv" -o "$tmp/whole.json" | grep -q "profiled 1 file(s): 400 rows, 5 columns"
"$vigil" profile "$tmp/part1.csv" "$tmp/part2.csv" -o "$tmp/halves.json" | grep -q "profiled 2 file(s): 400 rows"
"$py" - "$tmp/whole.json" "$tmp/halves.json" <<'PY'
import json, sys
whole, halves = (json.load(open(p))["features"] for p in sys.argv[1:3])
for name, w in whole.items():
    h = halves[name]
    for key in ("count", "missing", "min", "max", "edges", "bins", "counts"):
        assert w.get(key) == h.get(key), (name, key, w.get(key), h.get(key))
print("ok - two halves profiled together equal the whole file (counts, range, bin edges and counts, categories)")
PY

"$vigil" drift "$data/reference.csv" "$data/current.csv" --save-profile "$tmp/ref.json" --no-progress >/dev/null
"$vigil" profile "$data/current.csv" --reference "$tmp/ref.json" -o "$tmp/cur.json" >/dev/null
"$vigil" drift "$tmp/ref.json" "$data/current.csv" --target label --json "$tmp/from-csv.json" --no-progress >/dev/null
"$vigil" drift "$tmp/ref.json" "$tmp/cur.json" --target label --json "$tmp/from-profile.json" --no-progress >/dev/null
"$py" - "$tmp/from-csv.json" "$tmp/from-profile.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda r: {f["name"]: (f["method"], round(f["score"], 12), f["drifted"]) for f in r["features"]}
assert key(a) == key(b), (key(a), key(b))
assert a["dataset_drift"] == b["dataset_drift"]
print("ok - a current profile made with --reference gives the report of the current CSV")
PY

"$vigil" profile "$data/current.csv" -o "$tmp/own-bins.json" >/dev/null
if out=$("$vigil" drift "$tmp/ref.json" "$tmp/own-bins.json" --no-progress 2>&1); then
  echo "a current profile with its own bins was compared: $out"; exit 1
fi
grep -q "own-bins.json: column '[a-z]*' was binned with other edges than the reference's" <<<"$out" ||
  { echo "unclear error: $out"; exit 1; }
echo "ok - a current profile binned otherwise is refused by name"

# gzip and standard input read like the plain file; bad input names its source.
gzip -c "$data/current.csv" > "$tmp/current.csv.gz"
"$vigil" profile "$data/current.csv" -o "$tmp/plain.json" >/dev/null
"$vigil" profile "$tmp/current.csv.gz" -o "$tmp/gz.json" >/dev/null
"$vigil" profile - -o "$tmp/stdin.json" < "$data/current.csv" >/dev/null
gzip -c "$data/current.csv" | "$vigil" drift "$data/reference.csv" - --json "$tmp/stdin-report.json" --no-progress >/dev/null
"$vigil" drift "$data/reference.csv" "$data/current.csv" --json "$tmp/file-report.json" --no-progress >/dev/null
"$py" - "$tmp/plain.json" "$tmp/gz.json" "$tmp/stdin.json" "$tmp/file-report.json" "$tmp/stdin-report.json" <<'PY'
import json, sys
plain, gz, stdin = (json.load(open(p))["features"] for p in sys.argv[1:4])
assert plain == gz == stdin, "profiles differ"
a, b = (json.load(open(p)) for p in sys.argv[4:6])
key = lambda r: {f["name"]: (f["method"], f["score"], f["drifted"]) for f in r["features"]}
assert key(a) == key(b) and a["current"]["rows"] == b["current"]["rows"]
print("ok - a gzip file and standard input (gzip or not) profile and compare exactly like the plain file")
PY
head -c 300 "$tmp/current.csv.gz" > "$tmp/truncated.csv.gz"
if out=$("$vigil" profile "$tmp/truncated.csv.gz" -o "$tmp/t.json" 2>&1); then echo "truncated gzip accepted"; exit 1; fi
grep -q "truncated.csv.gz: corrupt or truncated gzip" <<<"$out" || { echo "unclear error: $out"; exit 1; }
if out=$(printf 'a,b\n1,2\n3\n' | "$vigil" profile - -o "$tmp/r.json" 2>&1); then echo "ragged rows accepted"; exit 1; fi
grep -q "<stdin>:3: expected 2 fields, found 1" <<<"$out" || { echo "unclear error: $out"; exit 1; }
echo "ok - a truncated gzip and a ragged row on standard input are errors naming the file (and line)"
echo "1 passed, 0 failed"
