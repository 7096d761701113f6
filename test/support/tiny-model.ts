/** What `eval` runs by default: the trained weights, read back through `current`, as the `accuracy` metric. */
export const EVAL_ACCURACY = 'echo accuracy=$(cat $AXUM_CURRENT/model/weights.txt) >> $AXUM_METRICS';

/** One verify step, as axum.yml spells it. */
export interface VerifyStep {
  /** `eval` unless named. */
  name?: string;
  run: string;
}

export interface TinyModelOptions {
  /** The YAML lines under `environments:`; by default staging, fed by main. */
  environments?: string;
  /** Appended to train's command as is (` && …`): a model that prints, links or grows. */
  train?: string;
  /** The verify step; by default `eval` running {@link EVAL_ACCURACY}; null for a config without one. */
  verify?: VerifyStep | null;
  /** The verify step's gates, metric to expression; by default accuracy `>= 0.8`; null for none. Needs a verify step. */
  gates?: Record<string, string> | null;
  /** The YAML lines under `verify:` `checks:`. */
  checks?: string;
  /** The YAML lines under `monitor:`. */
  monitor?: string;
  /** Writes `rollback: { auto: true }`. */
  rollbackAuto?: boolean;
  /** Appended as is (whole lines). */
  extra?: string;
}

// JSON strings are YAML double-quoted scalars: a command with quotes or backslashes needs no escaping by the caller.
const yamlString = (text: string): string => JSON.stringify(text);
const flowMap = (map: Record<string, string>): string => `{ ${Object.entries(map).map(([key, value]) => `${key}: ${yamlString(value)}`).join(', ')} }`;

function verifySection(options: TinyModelOptions): string {
  const step = options.verify === undefined ? { run: EVAL_ACCURACY } : options.verify;
  const gates = options.gates === undefined ? { accuracy: '>= 0.8' } : options.gates;
  if (step === null && options.gates) throw new Error('tinyModel: gates need a verify step to write their metrics');
  if (step === null && !options.checks) return '';
  const lines = ['verify:'];
  if (step !== null) {
    lines.push('  steps:', `    - { name: ${step.name ?? 'eval'}, run: ${yamlString(step.run)} }`);
    if (gates) lines.push(`  gates: ${flowMap(gates)}`);
  }
  if (options.checks) lines.push(`  checks:\n${options.checks.replace(/\n$/, '')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The tiny model the deploy tests ship, as its axum.yml: `train` copies `data.txt` into `model/`,
 * and `eval` reads it back through `current` as the `accuracy` metric, gated at 0.8 (commit `0.9`
 * for a good model, `0.1` for a bad one). Each option changes one part and leaves the rest as is.
 */
export function tinyModel(options: TinyModelOptions = {}): string {
  return `version: 1
environments:
${options.environments ?? '  staging: { branch: main }'}
stages:
  - name: build
    steps:
      - { name: train, run: ${yamlString(`mkdir -p model && cp data.txt model/weights.txt${options.train ?? ''}`)} }
artifacts: [model/**]
${verifySection(options)}${options.monitor ? `monitor:\n${options.monitor.replace(/\n$/, '')}\n` : ''}${options.rollbackAuto ? 'rollback: { auto: true }\n' : ''}${options.extra ?? ''}`;
}

/** {@link tinyModel} with its default verify: `extra` appended, `verifyPrefix` run before `eval`'s command, `environments` the lines under `environments:`. */
export const tinyModelConfig = (extra = '', verifyPrefix = '', environments = '  staging: { branch: main }'): string =>
  tinyModel({ environments, verify: { run: `${verifyPrefix}${EVAL_ACCURACY}` }, extra });
