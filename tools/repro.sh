#!/usr/bin/env bash
# Reproduction regime B (docs/results.md): the paper's claims tested on a task family with a difficulty knob.
#
#   bash tools/repro.sh            # the full regime (time budget in docs/results.md)
#   bash tools/repro.sh --quick    # the small version that fits one session on a shared 2-core machine
#   OUT=/tmp/repro bash tools/repro.sh --quick; then: bash tools/repro.sh --report-only (rewrites docs/results.md)
#
# Steps, each skipped when its output exists (re-running continues an interrupted regime):
#   1. per seed and base strength: `hpt repro base` warms a fresh tiny model up on ladder levels $WARMUP_LEVELS only;
#   2. learning-rate sweep on the first seed: every algorithm at every rate in $LRS, scored on the validation split;
#      `hpt repro pick` keeps the best per algorithm and base (validation only, never the held-out splits);
#   3. every seed: every algorithm at its chosen rate from that seed's base (the same weights for all algorithms);
#   4. `hpt repro eval` on the held-out splits, id (levels $TRAIN_LEVELS) and ood (the level above), n samples each;
#   5. `hpt repro report`: docs/results.md with paired bootstrap intervals, pass@k and the curves.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=full
case "${1:-}" in
  --quick) MODE=quick ;;
  --report-only) MODE=report ;;
  "") ;;
  *) echo "usage: tools/repro.sh [--quick | --report-only]" >&2; exit 2 ;;
esac
QUICK_MARK="${OUT:-runs/repro}/mode"
[ "$MODE" = report ] && MODE="$(cat "$QUICK_MARK" 2>/dev/null || echo full)" && REPORT_ONLY=1

if [ "$MODE" = quick ]; then
  SEEDS="${SEEDS:-1 2}"; BASES="${BASES:-strong:500}"; STEPS="${STEPS:-40}"; LRS="${LRS:-1e-4 3e-4}"
  ALGORITHMS="${ALGORITHMS:-hpt-g0 grpo sft luffy hpt-g2of8}"
  EVAL_PROBLEMS="${EVAL_PROBLEMS:-24}"; VAL_PROBLEMS="${VAL_PROBLEMS:-32}"
else
  SEEDS="${SEEDS:-1 2 3 4 5}"; BASES="${BASES:-weak:200 strong:500}"; STEPS="${STEPS:-80}"; LRS="${LRS:-3e-5 1e-4 3e-4}"
  ALGORITHMS="${ALGORITHMS:-hpt-g0 grpo sft luffy srft sft-then-grpo hpt-g1of8 hpt-g2of8 hpt-g4of8}"
  EVAL_PROBLEMS="${EVAL_PROBLEMS:-128}"; VAL_PROBLEMS="${VAL_PROBLEMS:-128}"
fi
TASK="${TASK:-arithmetic-ladder}"; TRAIN_LEVELS="${TRAIN_LEVELS:-1-3}"; WARMUP_LEVELS="${WARMUP_LEVELS:-1-2}"
N="${N:-256}"; VAL_N="${VAL_N:-16}"; MAX_NEW="${MAX_NEW:-64}"; THREADS="${THREADS:-1}"
OUT="${OUT:-runs/repro}"
mkdir -p "$OUT"; echo "$MODE" > "$OUT/mode"

# The regime runs on its own copy of the build, so rebuilding the checkout meanwhile cannot change it mid-way.
# NO_BUILD=1 reuses $OUT/bin as it is: a second driver on the same $OUT (other ALGORITHMS) must not replace it.
if { [ -z "${REPORT_ONLY:-}" ] && [ -z "${NO_BUILD:-}" ]; } || [ ! -f "$OUT/bin/hpt.dll" ]; then
  dotnet build src/Hpt.Cli -c Release -v quiet -nologo >/dev/null
  rm -rf "$OUT/bin"; cp -r src/Hpt.Cli/bin/Release/net10.0 "$OUT/bin"
  git rev-parse --short HEAD > "$OUT/commit"
fi
hpt=(dotnet "$OUT/bin/hpt.dll")
common=(--set task.name="$TASK" --set task.difficulty="$TRAIN_LEVELS" --set run.torch-threads="$THREADS"
        --set rollout.max-new-tokens="$MAX_NEW" --set persistence.store=memory --set task.eval-size=0
        --set pipeline.max-staleness=1 --set pipeline.total-steps="$STEPS" --set checkpoint.every-steps="$STEPS")

# name -> overrides. Same budget for all: $STEPS steps x 16 prompts, 8 samples per prompt (LUFFY/SRFT: 7 rollouts +
# the expert, as the paper's scripts); RL token sums divided by the response budget (the official constant).
overrides() {
  case "$1" in
    sft) echo "--set algorithm.preset=sft" ;;
    grpo) echo "--set algorithm.preset=grpo" ;;
    sft-then-grpo) echo "--set algorithm.preset=sft-then-grpo --set algorithm.gate.switch-step=$((STEPS / 2))" ;;
    luffy) echo "--set algorithm.preset=luffy --set pipeline.samples-per-prompt=7" ;;
    srft) echo "--set algorithm.preset=srft --set pipeline.samples-per-prompt=7" ;;
    hpt-g*) local g="${1#hpt-g}"; g="${g%%of8}"
      echo "--set algorithm.preset=hpt-official --set algorithm.gate.policy=correct-count --set algorithm.gate.max-correct=$g" ;;
    *) echo "unknown algorithm $1" >&2; exit 2 ;;
  esac
}

log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$OUT/driver.log"; }

evaluate() { # model split problems samples output
  [ -f "$5" ] || "${hpt[@]}" repro eval "${common[@]}" --model "$1" --split "$2" --problems "$3" -n "$4" -o "$5" >> "$OUT/driver.log" 2>&1
}

train() { # base-folder run-dir seed algorithm lr
  local dir="$2"
  if [ ! -f "$dir/done" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    read -r -a extra <<< "$(overrides "$4")"
    log "train $(basename "$dir")"
    "${hpt[@]}" repro train --base "$1" --run-dir "$dir" --set run.seed="$3" --set learner.learning-rate="$5" "${common[@]}" "${extra[@]}" \
      > "$dir.log" 2>&1 || { log "failed: see $dir.log"; return 1; }
    touch "$dir/done"
  fi
}

if [ -z "${REPORT_ONLY:-}" ]; then
  START=$(date +%s)
  first="${SEEDS%% *}"
  for seed in $SEEDS; do
    for entry in $BASES; do
      strength="${entry%%:*}"; warmup="${entry#*:}"; base="$OUT/bases/$strength-s$seed"
      # One driver makes (and scores) a base; another driver on the same $OUT waits for it.
      mkdir -p "$OUT/bases"
      if [ ! -f "$base/ready" ]; then
        if mkdir "$base.lock" 2>/dev/null; then
          if [ ! -f "$base/model.safetensors" ]; then
            log "base $strength seed $seed ($warmup warm-up steps on levels $WARMUP_LEVELS)"
            "${hpt[@]}" repro base "${common[@]}" --set run.seed="$seed" --levels "$WARMUP_LEVELS" --steps "$warmup" --out "$base" >> "$OUT/driver.log" 2>&1
          fi
          evaluate "$base" id "$EVAL_PROBLEMS" "$N" "$base/repro-id.json"
          evaluate "$base" ood "$EVAL_PROBLEMS" "$N" "$base/repro-ood.json"
          touch "$base/ready"; rmdir "$base.lock"
        else
          while [ ! -f "$base/ready" ]; do sleep 10; done
        fi
      fi
      for algorithm in $ALGORITHMS; do
        if [ "$seed" = "$first" ]; then
          picks=()
          for lr in $LRS; do
            dir="$OUT/runs/$strength-$algorithm-lr$lr-s$seed"
            train "$base" "$dir" "$seed" "$algorithm" "$lr" || continue
            evaluate "$dir" validation "$VAL_PROBLEMS" "$VAL_N" "$dir/repro-validation.json"
            picks+=("$lr=$dir/repro-validation.json")
          done
          [ ${#picks[@]} -gt 0 ] || continue
          lr="$("${hpt[@]}" repro pick "${picks[@]}")"
          printf '%s\t%s\n' "$strength-$algorithm" "$lr" >> "$OUT/chosen.tsv"
        else
          lr="$(awk -F'\t' -v k="$strength-$algorithm" '$1 == k { v = $2 } END { print v }' "$OUT/chosen.tsv")"
          [ -n "$lr" ] || continue
          dir="$OUT/runs/$strength-$algorithm-lr$lr-s$seed"
          train "$base" "$dir" "$seed" "$algorithm" "$lr" || continue
        fi
        dir="$OUT/runs/$strength-$algorithm-lr$lr-s$seed"
        evaluate "$dir" id "$EVAL_PROBLEMS" "$N" "$dir/repro-id.json"
        evaluate "$dir" ood "$EVAL_PROBLEMS" "$N" "$dir/repro-ood.json"
        printf '%s\t%s\t%s\t%s\t%s\n' "$strength" "$seed" "$algorithm" "$lr" "$dir" >> "$OUT/final.tsv"
        log "final $strength $algorithm seed $seed lr $lr: $(date -u +%H:%M:%S)"
      done
    done
  done
  log "regime ($MODE) finished in $(( $(date +%s) - START )) s"
fi

# The report reads the outputs only: it runs on the checkout's build (a newer report over the same runs is fine).
dotnet build src/Hpt.Cli -c Release -v quiet -nologo >/dev/null
dotnet src/Hpt.Cli/bin/Release/net10.0/hpt.dll repro report --root "$OUT" --output docs/results.md \
  --header docs/results-regime-b.md --footer docs/results-regime-a.md
