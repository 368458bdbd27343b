#!/usr/bin/env bash
# Toy-scale reproduction of the paper's comparison: from the same base model (per seed), on the same built-in task
# and with the same step budget, train SFT, GRPO, SFT-then-GRPO, LUFFY, SRFT and HPT (gamma = 0 and gamma = 2/8),
# then write a table of held-out accuracy and pass@k (mean and spread over seeds) with curves.
#
#   bash tools/repro-regime-a.sh                      # 3 seeds, 60 steps, 200 held-out problems x 64 samples
#   SEEDS="1 2" STEPS=40 EVAL=100 N=32 bash tools/repro-regime-a.sh
#
# Output: $OUT/<algorithm>-s<seed>/ (run directories) and $OUT/results.md with $OUT/plots/.
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS="${SEEDS:-1 2 3}"
STEPS="${STEPS:-60}"
EVAL="${EVAL:-200}"
N="${N:-64}"
OUT="${OUT:-runs/repro}"

dotnet build src/Hpt.Cli -c Release -v quiet -nologo >/dev/null
hpt=(dotnet src/Hpt.Cli/bin/Release/net10.0/hpt.dll)
common=(--set persistence.store=memory --set pipeline.total-steps="$STEPS" --set task.eval-size="$EVAL"
        --set task.eval-samples="$N" --set pipeline.max-staleness=1)

# name | overrides (same budget: 16 prompts per step; LUFFY/SRFT sample 7 rollouts + the expert, as in the paper)
algorithms=(
  "sft|--set algorithm.preset=sft"
  "grpo|--set algorithm.preset=grpo"
  "sft-then-grpo|--set algorithm.preset=sft-then-grpo --set algorithm.gate.switch-step=$((STEPS / 2))"
  "luffy|--set algorithm.preset=luffy --set pipeline.samples-per-prompt=7 --set algorithm.aggregation-constant=48"
  "srft|--set algorithm.preset=srft --set pipeline.samples-per-prompt=7 --set algorithm.aggregation-constant=48"
  "hpt-gamma0|--set algorithm.preset=hpt-official --set algorithm.gate.policy=correct-count --set algorithm.gate.max-correct=0"
  "hpt-gamma2of8|--set algorithm.preset=hpt-official --set algorithm.gate.policy=correct-count --set algorithm.gate.max-correct=2"
)

compare=()
for seed in $SEEDS; do
  base=""
  for entry in "${algorithms[@]}"; do
    name="${entry%%|*}"; read -r -a extra <<< "${entry#*|}"
    dir="$OUT/$name-s$seed"
    if [ ! -f "$dir/eval-after.json" ]; then
      rm -rf "$dir"; mkdir -p "$dir/checkpoints"
      echo "== $name, seed $seed"
      # Same base model for every algorithm of a seed: the first run warms up; the others start from its step-0
      # weights, which `hpt repro train --base` writes as their own step-0 checkpoint (a checkpoint belongs to the
      # run that wrote it, so copying the folder itself is refused), and reuse its evaluation before training.
      if [ -n "$base" ]; then
        cp "$base/eval-before.json" "$dir/"
        start=(repro train --base "$OUT/base-s$seed")
      else
        start=(train)
      fi
      "${hpt[@]}" "${start[@]}" --run-dir "$dir" --set run.id="$name-s$seed" --set run.seed="$seed" "${common[@]}" "${extra[@]}" \
        > "$dir.log" 2>&1 || { echo "failed: see $dir.log"; exit 1; }
      tail -n 1 "$dir.log"
    fi
    if [ -z "$base" ]; then
      base="$dir"
      mkdir -p "$OUT/base-s$seed"
      cp "$dir/checkpoints/step-00000000/model.safetensors" "$OUT/base-s$seed/"
    fi
    compare+=(--run "$name=$dir")
  done
done
"${hpt[@]}" compare "${compare[@]}" --output "$OUT/results.md"
