#!/usr/bin/env bash
# The loop an exchange runs (issue 13's "done when"), through the CLI only, in a fresh data dir:
# learn on one labelled exchange, adopt on a second (its facts, calibration without labels), then decide,
# monitor and triage the second and judge each against its labels.
#   scripts/exchange_loop.sh TRAIN_DIR TEST_DIR OUT_DIR
# Each DIR holds events.jsonl[.gz], labels.csv and context.json. Figures go to OUT_DIR/*.json.
set -euo pipefail
train=$1 test=$2 out=$3
events_of() { for f in "$1/events.jsonl" "$1/events.jsonl.gz"; do [ -e "$f" ] && { echo "$f"; return; }; done; echo "$1: no events" >&2; exit 2; }
train_events=$(events_of "$train") test_events=$(events_of "$test")
mkdir -p "$out/unlabelled"
export WARDEN_DATA_DIR="$out/data"
ln -sf "$(realpath "$test_events")" "$out/unlabelled/$(basename "$test_events")"  # no labels.csv beside it
step() { echo "== $*" >&2; }

step "first exchange: facts, models, calibration (labels)"
warden exchange set "$train/context.json" --events "$train_events" --json > "$out/facts_train.json"
warden train fraud --events "$train_events" --json > "$out/train_fraud.json"
warden train aml --events "$train_events" --json > "$out/train_aml.json"
warden calibrate --events "$train_events" --publish live --json > "$out/calibrate_train.json"
warden train triage --events "$train_events" --json > "$out/train_triage.json"

step "second exchange: facts, calibration on its own traffic (no labels)"
warden exchange set "$test/context.json" --events "$test_events" --json > "$out/facts_test.json"
warden calibrate --events "$out/unlabelled/$(basename "$test_events")" --publish live --json > "$out/calibrate_test.json"

step "second exchange: decide, monitor, triage"
warden decide --events "$test_events" --out "$out/decisions.jsonl" --json > "$out/decide.json"
warden eval decisions --decisions "$out/decisions.jsonl" --events "$test_events" --json > "$out/eval_decisions.json"
warden monitor --events "$test_events" --out "$out/monitor" --no-store --json > "$out/monitor.json"
warden eval monitor --events "$test_events" --alerts "$out/monitor/alerts.jsonl" --json > "$out/eval_monitor.json"
# the triage version trained on the first exchange waits for a model-risk officer's approval; judged by name,
# as that officer would judge it before approving
triage_version=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' "$out/train_triage.json")
warden eval triage --events "$test_events" --model "$triage_version" --json > "$out/eval_triage.json"
step "figures in $out/eval_*.json"
