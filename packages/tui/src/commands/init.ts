import { execFileSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_FILE, PIPELINE_SCHEMA_PATH } from '@axum/protocol';
import { findWorkTreeRoot } from '../client/repository.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { stderrLine, type GlobalOptions, type Output } from './output.js';

/** What `axum init` found in the repository, to pick sensible starter steps. */
export interface ProjectKind {
  node: boolean;
  python: boolean;
  /** `model` or `models` when the repository has such a folder. */
  modelFolder: 'model' | 'models' | null;
  /** The repository has a `config/` folder (kept by releases beside the model). */
  configFolder: boolean;
  /** The command that trains the model, and where it was found: an npm `train` script, `train.py`, a `make train` target, `train.js`. */
  train: { run: string; found: string } | null;
}

/** Reads a file, or '' when there is none (or it cannot be read). */
const textOf = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/**
 * `python` where the PATH has it, else `python3`: Debian and Ubuntu ship only `python3`, and a
 * starter pipeline whose first step is "python: not found" is no start.
 */
export function pythonCommand(path = process.env.PATH ?? ''): string {
  const onPath = (name: string) =>
    path.split(':').some((dir) => {
      try {
        accessSync(join(dir || '.', name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  return !onPath('python') && onPath('python3') ? 'python3' : 'python';
}

/** The training entry point, in the order a model team would reach for them. */
function detectTraining(repoRoot: string): ProjectKind['train'] {
  try {
    const scripts = (JSON.parse(textOf(join(repoRoot, 'package.json')) || '{}') as { scripts?: Record<string, unknown> }).scripts ?? {};
    if (Object.hasOwn(scripts, 'train')) return { run: 'npm run train', found: 'the npm script "train"' };
  } catch {
    // not JSON: no npm script to run
  }
  if (/^train\s*:/m.test(textOf(join(repoRoot, 'Makefile')))) return { run: 'make train', found: 'the Makefile target "train"' };
  for (const [file, run] of [
    ['train.py', `${pythonCommand()} train.py`],
    ['src/train.py', `${pythonCommand()} src/train.py`],
    ['train.js', 'node train.js'],
    ['src/train.js', 'node src/train.js'],
  ] as const) {
    if (existsSync(join(repoRoot, file))) return { run, found: file };
  }
  return null;
}

/** True when `dir` has no file at all in it (git keeps files, never empty folders). */
function gitKeepsNothingIn(dir: string): boolean {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).every((entry) => entry.isDirectory());
  } catch {
    return false;
  }
}

/** The starter's branches, one per environment: dev's, staging's, production's. */
const starterBranches = (production: string) => ['develop', 'staging', production];

/**
 * The branch production deploys from: `main`, unless the repository has none: then its `master`
 * when it has one, else its only branch (the one HEAD is on before its first commit counts) when
 * that is not dev's or staging's (a `git init` on another default branch), so commits where the
 * work already is feed production. With several branches and neither `main` nor `master`, `main`:
 * the branch checked out may well be a feature branch, which production must not take by chance.
 */
export function productionBranchOf(existing: readonly string[], current: string | null): string {
  if (current === 'main' || existing.includes('main')) return 'main';
  // A `master` the repository has is its main line, whatever branch is checked out (a feature branch is not).
  if (current === 'master' || existing.includes('master')) return 'master';
  const branches = new Set(current === null ? existing : [...existing, current]);
  const only = branches.size === 1 ? [...branches][0]! : null;
  return only === null || only === 'develop' || only === 'staging' ? 'main' : only;
}

/**
 * What to say when production was given `main` though the repository has neither `main` nor
 * `master` (git told its branches): production feeds on nothing until that line is edited, so the
 * line is named. Null otherwise.
 */
export function noMainLine(existing: readonly string[], current: string | null, production: string, config: string): string | null {
  if (production !== 'main' || current === 'main' || existing.includes('main') || (existing.length === 0 && current === null)) return null;
  const line = config.split('\n').findIndex((l) => l.startsWith('  production:')) + 1;
  return `this repository has no main or master branch: production deploys from main, which does not exist; edit the branch: of production on line ${line} of ${CONFIG_FILE} to the branch you release from`;
}

/**
 * What to say when the starter's branches are not the repository's (a `git init` on master): a
 * commit there would feed no environment, silently. Null when they all exist, or git cannot tell.
 */
export function missingBranchesLine(existing: readonly string[], current: string | null, production = 'main'): string | null {
  if (existing.length === 0 && current === null) return null;
  // The branch HEAD is on counts before its first commit (`git init -b main`).
  const starter = starterBranches(production);
  const missing = starter.filter((b) => !existing.includes(b) && b !== current);
  if (missing.length === 0) return null;
  const here = current !== null && !starter.includes(current) ? `; commits on ${current} feed no environment` : '';
  return `branch${missing.length > 1 ? 'es' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist yet (git branch ${missing[0]}), or edit the branch: of each environment in ${CONFIG_FILE}${here}`;
}

/**
 * The repository's branches, the one HEAD is on (null: detached), and its remote-tracking branches
 * by name (`origin/main` → `main`: a `git clone -b feature` has main only there); none when git cannot tell.
 */
export function branchesOf(repoRoot: string): { existing: string[]; current: string | null; remote: string[] } {
  const git = (...args: string[]) => execFileSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const existing = git('for-each-ref', '--format=%(refname:lstrip=2)', 'refs/heads').split('\n').filter(Boolean);
    const remote = git('for-each-ref', '--format=%(refname:lstrip=3)', 'refs/remotes').split('\n').filter((name) => name !== '' && name !== 'HEAD');
    let current: string | null = null;
    try {
      current = git('symbolic-ref', '--quiet', 'HEAD').replace(/^refs\/heads\//, '') || null;
    } catch {
      // detached
    }
    return { existing, current, remote };
  } catch {
    return { existing: [], current: null, remote: [] };
  }
}

export function detectProject(repoRoot: string): ProjectKind {
  const has = (name: string) => existsSync(join(repoRoot, name));
  return {
    node: has('package.json'),
    python: has('pyproject.toml') || has('requirements.txt') || has('setup.py'),
    modelFolder: has('model') ? 'model' : has('models') ? 'models' : null,
    configFolder: has('config'),
    train: detectTraining(repoRoot),
  };
}

/** The schema's file name beside `axum.yml`: committed with it, so editors of every clone find it. */
const SCHEMA_COPY = 'axum.schema.json';

/** `axum init`: writes a commented starter `axum.yml` that references the JSON Schema; never overwrites. */
export function initCommand(options: GlobalOptions, out: Output): ExitCode {
  const repoRoot = findWorkTreeRoot(options.repo);
  const file = join(repoRoot, CONFIG_FILE);
  if (existsSync(file)) throw new CliError(`${file} already exists; not overwriting it (edit it, or remove it first)`, EXIT.failed);
  const kind = detectProject(repoRoot);
  // A path into this Axum checkout would break in every other clone: the schema goes beside the file, relative.
  const schemaCopy = join(repoRoot, SCHEMA_COPY);
  const written = [file];
  if (!existsSync(schemaCopy)) {
    copyFileSync(fileURLToPath(new URL(`../../../../${PIPELINE_SCHEMA_PATH}`, import.meta.url)), schemaCopy);
    written.push(schemaCopy);
  }
  const branches = branchesOf(repoRoot);
  // A main or master the remote has is the repository's main line too (a clone of a feature branch).
  const known = [...new Set([...branches.existing, ...branches.remote])];
  const production = productionBranchOf(known, branches.current);
  const config = starterConfig(kind, `./${SCHEMA_COPY}`, production);
  writeFileSync(file, config, { flag: 'wx' });
  const detected = [kind.node && 'package.json', kind.python && 'Python project', kind.modelFolder && `${kind.modelFolder}/ folder`, kind.train && `training: ${kind.train.found}`].filter(Boolean);
  // Said on stderr, with --json too: the file is written, but its first run would fail until edited.
  const noMain = noMainLine(known, branches.current, production, config);
  if (noMain) stderrLine(`axum: ${noMain}`);
  if (!kind.train) stderrLine(`axum: no training entry point found (an npm script "train", train.py, src/train.py, a Makefile target "train", train.js): edit the run: of the train step in ${CONFIG_FILE} to the command that trains your model and writes ${modelsGlob(kind)}; until then every run fails at that step, saying so`);
  if (options.json) out.json({ written, detected });
  else {
    out.lines([
      `wrote ${written.join(' and ')}${detected.length ? ` (detected: ${detected.join(', ')})` : ''}`,
      // Runs start from a clean worktree of the commit, where an empty folder does not exist.
      ...(kind.modelFolder && gitKeepsNothingIn(join(repoRoot, kind.modelFolder)) ? [`${kind.modelFolder}/ holds no file git keeps: runs start from a clean checkout, so the train step must create it (mkdir -p ${kind.modelFolder})`] : []),
      ...(production !== 'main' ? [production === 'master' ? 'production deploys from master (this repository has no main)' : `production deploys from ${production}, the repository's only branch (it has no main or master)`] : []),
      ...[missingBranchesLine(branches.existing, branches.current, production)].filter((line): line is string => line !== null),
      `check it with \`axum validate\`, then commit ${written.length > 1 ? 'both' : 'it'}`,
    ]);
  }
  return EXIT.ok;
}

/** What the starter's artifacts keep of the model: the folder found, else `model/**`. */
const modelsGlob = (kind: ProjectKind) => `${kind.modelFolder ?? 'model'}/**`;

/** The starter file: valid as written, every section explained. */
export function starterConfig(kind: ProjectKind, schemaPath: string, production = 'main'): string {
  const test = kind.node ? 'npm test' : kind.python ? `${pythonCommand()} -m pytest` : 'echo "add your tests here"';
  const models = modelsGlob(kind);
  // No entry point found: a step that fails saying what to edit, rather than one that succeeds
  // having trained nothing and leaves the run to fail later on an artifacts glob that matched nothing.
  const train = kind.train?.run ?? `echo '${CONFIG_FILE}: no training command yet: set the run: of the train step to the command that trains your model (it writes ${models})' >&2; exit 1`;
  return `# yaml-language-server: $schema=${schemaPath}
# Axum pipeline file. Check it with \`axum validate\`; the full reference is the JSON Schema above.
version: 1

# Branching strategy: one branch feeds one environment.
environments:
  dev:        { branch: develop }
  staging:    { branch: staging }
  production: { branch: ${/^[A-Za-z][\w./-]*$/.test(production) && !/^(true|false|yes|no|on|off|null)$/i.test(production) ? production : JSON.stringify(production)}, approval: manual }   # deploys wait for \`axum approve production\`

# Stages run in order; the steps of one stage run in parallel. A failed step skips everything after it.
stages:
  - name: test
    steps:
      - { name: unit, run: ${JSON.stringify(test)}, timeout: 10m }
  - name: build
    steps:
${kind.train ? '' : '      # No training entry point was found: replace this run: with the command that trains your model.\n'}      - { name: train, run: ${JSON.stringify(train)}, timeout: 30m, retries: 0 }

# What a release keeps: the backup of your models and configs, restored on rollback.
artifacts: [${kind.configFolder ? `${models}, config/**` : models}]

# Runs after every deploy and every rollback; steps may write name=value lines to $AXUM_METRICS.
# verify:
#   steps:
#     - { name: smoke, run: ./scripts/smoke.sh, timeout: 60s }
#   gates: { accuracy: ">= 0.90" }

# rollback:
#   auto: true        # a failed verify goes back to the last known good version

# secrets: [HF_TOKEN]  # passed to steps from the daemon's environment, masked in every log
`;
}
