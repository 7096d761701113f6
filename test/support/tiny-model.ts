/**
 * The tiny model most deploy tests ship: `train` copies `data.txt` into `model/`, and `eval` reads
 * it back through `current` as the `accuracy` metric, gated at 0.8 (commit `0.9` for a good model,
 * `0.1` for a bad one). `extra` is appended as is (whole lines); `verifyPrefix` runs before `eval`;
 * `environments` are the YAML lines under `environments:`.
 */
export const tinyModelConfig = (extra = '', verifyPrefix = '', environments = '  staging: { branch: main }'): string => `version: 1
environments:
${environments}
stages:
  - name: build
    steps:
      - { name: train, run: "mkdir -p model && cp data.txt model/weights.txt" }
artifacts: [model/**]
verify:
  steps:
    - { name: eval, run: "${verifyPrefix}echo accuracy=$(cat $AXUM_CURRENT/model/weights.txt) >> $AXUM_METRICS" }
  gates: { accuracy: ">= 0.8" }
${extra}`;
