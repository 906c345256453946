#!/usr/bin/env bash
# `vigil drift --mode sketch` against exact mode on the same CSVs: the same
# verdicts, every exact score inside the sketch report's range; `auto`
# picks sketch past --memory; profiles named .vprof given as --reference and
# --current; a profile on standard output; text in a numeric column named by
# file and line; a profile from a future format refused by name.
#   cli_sketch_test.sh <vigil> <drift data dir>
set -euo pipefail
vigil=$1 data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3

"$vigil" drift "$data/reference.csv" "$data/current.csv" --method wasserstein --mode exact --json "$tmp/exact.json" --no-progress >/dev/null
"$vigil" drift "$data/reference.csv" "$data/current.csv" --method wasserstein --mode sketch --json "$tmp/sketch.json" --no-progress >/dev/null
"$vigil" drift "$data/reference.csv" "$data/current.csv" --method wasserstein --memory 1K --json "$tmp/auto.json" --no-progress >/dev/null
"$py" - "$tmp/exact.json" "$tmp/sketch.json" "$tmp/auto.json" <<'PY'
import json, sys
exact, sketch, auto = (json.load(open(p)) for p in sys.argv[1:4])
assert exact["mode"] == "exact" and sketch["mode"] == "sketch" and auto["mode"] == "sketch", (exact["mode"], sketch["mode"], auto["mode"])
numeric = 0
for e, s in zip(exact["features"], sketch["features"]):
    assert e["name"] == s["name"] and e["drifted"] == s["drifted"], (e["name"], e["score"], s["score"])
    if "exact_range" in s:
        numeric += 1
        lo, hi = s["exact_range"]["score"]
        assert lo - 1e-12 <= e["score"] <= hi + 1e-12, (e["name"], e["score"], lo, hi)
assert numeric == 2, numeric  # age and income
print("ok - sketch mode: the verdicts of exact mode, each exact score inside the reported range; auto picks sketch past --memory")
PY

"$vigil" profile "$data/reference.csv" -o "$tmp/ref.vprof" >/dev/null
"$vigil" profile "$data/current.csv" --reference "$tmp/ref.vprof" -o - 2>"$tmp/summary.txt" > "$tmp/cur.vprof"
grep -q "profiled 1 file(s): 300 rows, 5 columns -> <stdout>" "$tmp/summary.txt" || { cat "$tmp/summary.txt"; exit 1; }
"$vigil" drift --reference "$tmp/ref.vprof" --current "$tmp/cur.vprof" --json "$tmp/profiles.json" --no-progress >/dev/null
"$py" - "$tmp/profiles.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["reference"]["rows"] == 400 and r["current"]["rows"] == 300, (r["reference"], r["current"])
assert {f["name"] for f in r["features"]} == {"age", "income", "city", "plan", "label"}
print("ok - .vprof profiles as --reference and --current; a profile written to standard output")
PY

{ head -n 150 "$data/current.csv"; echo "n/a-ish,31000,oslo,pro,0"; tail -n +151 "$data/current.csv"; } > "$tmp/typo.csv"
for mode in exact sketch; do
  out=$("$vigil" drift "$data/reference.csv" "$tmp/typo.csv" --mode $mode --no-progress 2>&1)
  grep -q "warning: $tmp/typo.csv:151: column 'age' is numeric but holds 'n/a-ish' (1 such value" <<<"$out" ||
    { echo "$mode: no warning naming the line: $out"; exit 1; }
done
echo "ok - text in a numeric column is named by file and line in both modes"

sed 's#"format":"vigil.profile/v1"#"format":"vigil.profile/v9"#' "$tmp/ref.vprof" > "$tmp/future.vprof"
if out=$("$vigil" drift "$tmp/future.vprof" "$data/current.csv" --no-progress 2>&1); then echo "a future profile was read"; exit 1; fi
grep -q "future.vprof: profile: unknown format (expected vigil.profile/v1)" <<<"$out" || { echo "unclear error: $out"; exit 1; }
if out=$("$vigil" drift "$data/reference.csv" "$data/current.csv" --memory lots 2>&1); then echo "--memory lots accepted"; exit 1; fi
grep -q "memory 'lots': expected a size" <<<"$out" || { echo "unclear error: $out"; exit 1; }
echo "ok - a profile from a future format and a bad --memory are refused by name"
echo "1 passed, 0 failed"
