#!/usr/bin/env bash
# Regenerates the bundled example artifacts under examples/artifacts from chimera's own measurements on this
# machine, in the shapes the original system's data had (a parameter-tuning CSV, a per-prompt run CSV with a
# summary JSON, and a llama-bench style CSV). They are real measurements of synthetic-weight models.
set -euo pipefail
cd "$(dirname "$0")/.."
out=examples/artifacts
model=${MODEL:-synthetic:270m-q8_0}
mkdir -p "$out"
python3 - "$model" "$out" <<'PY'
import csv, json, subprocess, sys, datetime
model, out = sys.argv[1], sys.argv[2]
prompts = ["Summarise the benchmark results.", "List three ways to cut time to first token.",
           "Explain what num_ctx changes.", "Compare two quantisations briefly.", "Write one sentence about GPUs."]

def generate(prompt, num_ctx, temp):
    cmd = ["bin/chimera", "generate", "--json", "-m", model, "-p", prompt, "--num-predict", "32",
           "--num-ctx", str(num_ctx), "--temp", str(temp)]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)

def row(r):
    t = r["timings"]
    return {"ttft_s": round(t["ttft_ms"] / 1000, 4), "tokens_s": round(t["decode_tps"], 2), "load_s": round(r["load"]["load_ms"] / 1000, 4),
            "prompt_eval_s": round(t["prompt_eval_ms"] / 1000, 4), "eval_s": round(t["eval_ms"] / 1000, 4),
            "prompt_eval_count": t["prompt_tokens"], "eval_count": t["gen_tokens"], "error": ""}

with open(f"{out}/param_tuning.csv", "w", newline="") as f:
    w = None
    for num_ctx in (1024, 2048, 4096):
        for temp in (0.2, 0.8):
            r = generate(prompts[0], num_ctx, temp)
            rec = {"timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                   "model": model, "num_gpu": "all", "num_ctx": num_ctx, "temperature": temp, **row(r)}
            w = w or csv.DictWriter(f, fieldnames=list(rec))
            if f.tell() == 0:
                w.writeheader()
            w.writerow(rec)

runs = []
with open(f"{out}/prompt_suite_runs.csv", "w", newline="") as f:
    w = None
    for i, p in enumerate(prompts, 1):
        rec = {"model": model, "prompt_index": i, "prompt_text": p, **row(generate(p, 2048, 0.8))}
        runs.append(rec)
        w = w or csv.DictWriter(f, fieldnames=list(rec))
        if i == 1:
            w.writeheader()
        w.writerow(rec)
summary = {"generated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "prompt_count": len(prompts),
           "models": [{"model": model, "prompt_count": len(prompts), "completed": len(runs),
                       "mean_ttft_s": sum(r["ttft_s"] for r in runs) / len(runs),
                       "mean_tokens_s": sum(r["tokens_s"] for r in runs) / len(runs)}]}
with open(f"{out}/prompt_suite_summary.json", "w") as f:
    json.dump(summary, f, indent=2)
PY
if bin/chimera bench --help >/dev/null 2>&1; then
  bin/chimera bench -m "$model" -p 128 -n 32 -d 0,512 --num-ctx 1024 --reps 3 --format csv > "$out/llama_bench.csv"
fi
echo "examples regenerated in $out"
