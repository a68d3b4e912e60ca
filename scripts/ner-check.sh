#!/usr/bin/env bash
# Retrains the NER model with the exact command from models/MODEL.md into a temporary file,
# scores it on the CoNLL-2003 dev set (eng.testa), and fails when its F1 is more than 0.5
# below the shipped model's (the `dev_f1:` line of models/MODEL.md). Skips, successfully,
# when the corpora are absent: they are never part of the repository.
set -euo pipefail

cd "$(dirname "$0")/.."
corpora="${NEWSDEX_CORPORA:-../shared/corpora}"
conll="$corpora/conll2003"
if [[ ! -f "$conll/eng.train" || ! -f "$conll/eng.testa" ]]; then
    echo "skipped: corpora absent ($conll)"
    exit 0
fi

shipped=$(sed -n 's/^dev_f1: *\([0-9.]*\).*/\1/p' models/MODEL.md | head -n 1)
if [[ -z "$shipped" ]]; then
    echo "error: no 'dev_f1:' line in models/MODEL.md" >&2
    exit 2
fi

cargo build --release --quiet --bin newsdex
bin=target/release/newsdex
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

start=$(date +%s)
"$bin" ner train "$conll/eng.train" --dev "$conll/eng.testa" --clusters models/clusters.bin \
    -o "$tmp/ner.bin" 2>"$tmp/train.log" || {
    cat "$tmp/train.log" >&2
    exit 1
}
took=$(($(date +%s) - start))
"$bin" ner eval "$tmp/ner.bin" "$conll/eng.testa" >"$tmp/eval.txt" 2>/dev/null
cat "$tmp/eval.txt"
f1=$(awk '$1 == "overall" { print $NF }' "$tmp/eval.txt")

if awk -v f="$f1" -v s="$shipped" 'BEGIN { exit !(f + 0.5 < s) }'; then
    echo "FAIL: retrained dev F1 $f1 is more than 0.5 below the shipped $shipped" >&2
    exit 1
fi
echo "ok: retrained dev F1 $f1 (shipped $shipped), trained in ${took}s"
