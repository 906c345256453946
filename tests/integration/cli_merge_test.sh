#!/usr/bin/env bash
# `vigil merge`: profiles of parts of one dataset merge into the profile of
# the whole (rows add up); a part with other bins, columns or a corrupt file
# is refused with an error naming the file and what differs.
#   cli_merge_test.sh <vigil> <drift data dir>
set -euo pipefail
vigil=$1 data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$vigil" drift "$data/reference.csv" "$data/current.csv" --save-profile "$tmp/a.json" --no-progress >/dev/null
"$vigil" merge "$tmp/a.json" "$tmp/a.json" "$tmp/a.json" -o "$tmp/all.json" | grep -q "merged 3 profiles: 1200 rows, 5 columns"
grep -q '"rows":1200\|"rows": 1200' "$tmp/all.json" || { echo "merged rows are not 3 x 400"; exit 1; }
echo "ok - three parts merge; rows add up"

# The current CSV profiled on its own: its own bins, not the reference's.
"$vigil" drift "$data/current.csv" "$data/reference.csv" --save-profile "$tmp/other-bins.json" --no-progress >/dev/null
if out=$("$vigil" merge "$tmp/a.json" "$tmp/other-bins.json" -o "$tmp/x.json" 2>&1); then
  echo "merging profiles with different bins succeeded: $out"; exit 1
fi
grep -q "other-bins.json: profile merge: column 'age': bin edges differ" <<<"$out" || { echo "unclear error: $out"; exit 1; }
echo "ok - different bins refused, naming the file and the column: $out"

printf '{"format":"vigil.profile/v1","rows":3,' > "$tmp/truncated.json"
if out=$("$vigil" merge "$tmp/a.json" "$tmp/truncated.json" -o "$tmp/y.json" 2>&1); then
  echo "a truncated profile was merged"; exit 1
fi
grep -q "truncated.json: " <<<"$out" || { echo "the error does not name the file: $out"; exit 1; }
test ! -e "$tmp/y.json" || { echo "an output was written despite the error"; exit 1; }
echo "ok - a truncated profile is refused by name: $out"
echo "1 passed, 0 failed"
