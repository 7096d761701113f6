import { readFileSync } from 'node:fs';
import { CONFIG_FILE, formatProblem, parseConfigText } from '@axum/protocol';
import { findWorkTreeRoot, requireConfigFile } from '../client/repository.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { stderrLine, type GlobalOptions, type Output } from './output.js';

/** `axum validate`: every problem as `axum.yml:LINE:COL: message` and exit 2, or a summary and 0. Never starts a daemon. */
export function validateCommand(options: GlobalOptions, out: Output): ExitCode {
  const repoRoot = findWorkTreeRoot(options.repo);
  const file = requireConfigFile(repoRoot);
  const load = parseConfigText(readFileSync(file, 'utf8'), CONFIG_FILE);
  if (!load.ok) {
    if (options.json) out.json({ valid: false, errors: load.errors });
    else for (const p of load.errors) stderrLine(formatProblem(p));
    return EXIT.usage;
  }
  const { config } = load;
  const steps = config.stages.reduce((n, s) => n + s.steps.length, 0);
  const environments = Object.entries(config.environments).map(([name, env]) => `${name}←${env.branch}`);
  if (options.json) out.json({ valid: true, environments: Object.keys(config.environments), stages: config.stages.map((s) => s.name), steps });
  else {
    out.lines([
      `${CONFIG_FILE} ok: ${environments.length} environment${environments.length === 1 ? '' : 's'} (${environments.join(', ')}), ${config.stages.length} stage${config.stages.length === 1 ? '' : 's'}, ${steps} step${steps === 1 ? '' : 's'}`,
    ]);
  }
  return EXIT.ok;
}
