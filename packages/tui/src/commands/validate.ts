import { existsSync, readFileSync } from 'node:fs';
import { CONFIG_FILE, formatProblem, nearestWord, parseConfigText, type PipelineConfig } from '@axum/protocol';
import { findWorkTreeRoot, requireConfigFile } from '../client/repository.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { branchesOf } from './init.js';
import { stderrLine, type GlobalOptions, type Output } from './output.js';

/** `axum validate`: every problem as `axum.yml:LINE:COL: message` and exit 2, or a summary and 0. Never starts a daemon. */
export function validateCommand(options: GlobalOptions, out: Output): ExitCode {
  const repoRoot = findWorkTreeRoot(options.repo);
  const file = requireConfigFile(repoRoot);
  // Another branch checked out, without the file: the daemon serves the last valid config, and there is nothing here to check.
  if (!existsSync(file)) throw new CliError(`no ${CONFIG_FILE} in ${repoRoot} (the branch checked out has none): nothing to validate; the daemon keeps serving the last valid one`, EXIT.usage);
  const load = parseConfigText(readFileSync(file, 'utf8'), CONFIG_FILE);
  if (!load.ok) {
    if (options.json) out.json({ valid: false, errors: load.errors });
    else for (const p of load.errors) stderrLine(formatProblem(p));
    return EXIT.usage;
  }
  const { config } = load;
  const steps = config.stages.reduce((n, s) => n + s.steps.length, 0);
  const environments = Object.entries(config.environments).map(([name, env]) => `${name}←${env.branch}`);
  const warnings = missingBranchWarnings(config, branchesOf(repoRoot));
  if (options.json) out.json({ valid: true, environments: Object.keys(config.environments), stages: config.stages.map((s) => s.name), steps, warnings });
  else {
    out.lines([
      `${CONFIG_FILE} ok: ${environments.length} environment${environments.length === 1 ? '' : 's'} (${environments.join(', ')}), ${config.stages.length} stage${config.stages.length === 1 ? '' : 's'}, ${steps} step${steps === 1 ? '' : 's'}; ${afterDeployText(config)}`,
    ]);
    for (const warning of warnings) stderrLine(`warning: ${warning}`);
  }
  return EXIT.ok;
}

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * What the file asks of a deploy after it runs, as read: a verify section misindented or misnamed
 * shows here as `no verify`, before a bad release goes live unchecked.
 */
export function afterDeployText(config: Pick<PipelineConfig, 'verify' | 'rollback'>): string {
  const { verify } = config;
  const gates = verify ? Object.keys(verify.gates) : [];
  const verifyText = verify
    ? `verify: ${[count(verify.steps.length, 'step'), ...(verify.checks.length > 0 ? [count(verify.checks.length, 'check')] : [])].join(', ')}, ${gates.length > 0 ? `gates: ${gates.join(', ')}` : 'no gates'}`
    : 'no verify';
  return `${verifyText}; rollback: ${config.rollback?.auto ? 'auto' : 'manual'}`;
}

/**
 * A branch an environment names that the repository does not have: valid (it may be made later),
 * but a typo (`stagign`) would leave the environment never deployed, silently. Nothing when git
 * could not list the branches.
 */
export function missingBranchWarnings(config: Pick<PipelineConfig, 'environments'>, branches: { existing: readonly string[]; current: string | null }): string[] {
  const known = new Set([...branches.existing, ...(branches.current ? [branches.current] : [])]);
  if (known.size === 0) return [];
  return Object.entries(config.environments)
    .filter(([, env]) => !known.has(env.branch))
    .map(([name, env]) => {
      const meant = nearestWord(env.branch, known);
      return `branch "${env.branch}" of environment ${name} does not exist in this repository${meant ? ` (did you mean ${meant}?)` : ''}: ${name} deploys nothing until it does`;
    });
}
