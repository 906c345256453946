#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time on its seed corpus
# (FUZZ_SECONDS each, default 15); see scripts/sanitize.sh.
#   scripts/fuzz.sh
#   FUZZ_SECONDS=300 scripts/fuzz.sh
exec bash "$(dirname "$0")/sanitize.sh" fuzz
