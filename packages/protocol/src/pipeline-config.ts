import { z } from 'zod/mini';
import { en } from 'zod/locales';
import { branchNameProblem } from './branch-name.js';
import { DURATION_PATTERN, parseDuration } from './duration.js';
import { gateProblem, parseGate } from './gate-expression.js';
import { hostSpecProblem, parseHostSpec, type HostSpec } from './host-spec.js';
import { sharedPlaceProblems } from './serving-places.js';

// The schema of `axum.yml` (README.md, "Using it"). Every object is strict: an unknown key is an error,
// because a misspelt `timeot:` silently ignored is worse than a refusal.
//
// Written with `zod/mini` (the same checks as classic zod, without its methods' weight: the daemon
// loads no classic zod). zod/mini words no issue by itself ("Invalid input"), and the parser says
// zod's English bounds and choices in its own words (pipeline-config-parse.ts), so English is
// registered here as classic zod did, for a command that validates without loading the codec.
if (!z.core.globalConfig.localeError) z.config(en());

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NAME_RULE = 'use letters, digits, ".", "_" or "-", starting with a letter or digit';
const Name = z.string().check(z.regex(NAME_PATTERN, NAME_RULE), z.maxLength(64));

/** Why an `artifacts` pattern reaches outside the repository, or null: a release keeps files of the repository only. */
export function artifactPatternProblem(pattern: string): string | null {
  if (pattern.startsWith('/') || /^[A-Za-z]:[\\/]/.test(pattern)) return 'an absolute path: artifacts are paths inside the repository';
  if (pattern.split(/[\\/]/).includes('..')) return 'it climbs out of the repository with "..": artifacts are paths inside the repository';
  return null;
}

const Duration = z.pipe(
  z.string().check(z.regex(DURATION_PATTERN, 'a duration such as 500ms, 90s, 5m or 1h')),
  z.transform((text: string) => parseDuration(text) ?? 0),
);

/**
 * The host of an SSH backup target (`user@host:/path`, host-spec.ts), or null for a local folder.
 * Anything with a colon before its first `/` is read as SSH, never as a local folder called
 * `backup@10.0.0.9:` (which would silently back up into the repository).
 */
export function sshBackupTarget(target: string): HostSpec | { problem: string } | null {
  return /^[^/]*:/.test(target) ? parseHostSpec(target) : null;
}

/** Why `target` is not a backup target this version can write (a folder, or an SSH host's folder), or null. */
export function backupTargetProblem(target: string): string | null {
  if (target.trim() === '') return 'an empty folder name';
  const host = sshBackupTarget(target);
  if (host) return 'problem' in host ? host.problem : null;
  // The daemon runs no shell: `~` would be a folder called `~` in the repository.
  if (target === '~' || target.startsWith('~/')) return `${target}: ~ is not expanded here; write the whole path (e.g. /home/you/${target.slice(2) || 'axum-backup'})`;
  return relativeInsideRepository(target) ? `${target} is inside the repository: a backup there would sit in the work tree (one \`git clean\` or \`git add -A\` away); name a folder outside it, e.g. ../axum-backup or /mnt/nas/axum` : null;
}

/** A relative folder (read from the repository's root) that does not climb out of it. */
function relativeInsideRepository(target: string): boolean {
  if (target.startsWith('/') || /^[A-Za-z]:[\\/]/.test(target)) return false;
  let depth = 0;
  for (const part of target.split(/[\\/]+/)) {
    if (part === '..') depth -= 1;
    else if (part !== '.' && part !== '') depth += 1;
    if (depth < 0) return false;
  }
  return true;
}
const BackupTarget = z.string().check(
  z.superRefine((text, ctx) => {
    const problem = backupTargetProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

/** A remote host `[user@]host[:port]:/path` (host-spec.ts). */
const HostSpecText = z.string().check(
  z.superRefine((text, ctx) => {
    const problem = hostSpecProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

/** A metric gate such as `>= 0.90`, or one relative to the last known good (`>= lkg - 0.01`): gate-expression.ts. */
const Gate = z.string().check(
  z.superRefine((text, ctx) => {
    const problem = gateProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

/** A check's condition on one measurement: a fixed comparison such as `> 0.02`. */
const Condition = z.string().check(
  z.superRefine((text, ctx) => {
    const gate = parseGate(text);
    if (!gate || !('fixed' in gate.bound)) ctx.addIssue({ code: 'custom', message: `"${text}" is not a condition: a fixed comparison such as "> 0.02" or "<= 250"` });
  }),
);

/**
 * A check that asks Prometheus (Argo Rollouts' AnalysisTemplate semantics): `count` measurements
 * `every` apart; failed when more than `failures` failed, inconclusive when more than
 * `inconclusive` could not be measured, else passed. `fail:` names the failing values, `pass:` the
 * passing ones (one of the two).
 */
/** Prometheus's address: an http(s) URL whose port, when it names one, a connection can use (1 to 65535). */
const PrometheusUrl = z.string().check(
  z.regex(/^https?:\/\/\S+$/, 'an http:// or https:// URL of Prometheus'),
  z.superRefine((text, ctx) => {
    if (!/^https?:\/\/\S+$/.test(text)) return; // said by the regex above
    const port = /^https?:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^/:?#]*):(\d+)(?:[/?#]|$)/.exec(text)?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) ctx.addIssue({ code: 'custom', message: `"${text}": port ${port} is out of range (a port is 1 to 65535; Prometheus's own is 9090)` });
    else if (!URL.canParse(text)) ctx.addIssue({ code: 'custom', message: `"${text}" is not a URL fetch can read` });
  }),
);

const Check = z
  .strictObject({
    name: Name,
    prometheus: z.strictObject({ url: PrometheusUrl, query: z.string().check(z.minLength(1, 'a PromQL query')) }),
    fail: z.optional(Condition),
    pass: z.optional(Condition),
    every: z._default(Duration, 15_000),
    count: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(1000)), 1),
    failures: z._default(z.number().check(z.int(), z.minimum(0)), 0),
    inconclusive: z._default(z.number().check(z.int(), z.minimum(0)), 0),
    timeout: z.optional(Duration),
  })
  .check(z.superRefine((check, ctx) => {
    if ((check.fail === undefined) === (check.pass === undefined)) ctx.addIssue({ code: 'custom', message: `give exactly one of fail: (e.g. "> 0.02") or pass: (e.g. "<= 0.02")` });
  }));
export type CheckSpec = z.output<typeof Check>;

const EnvVarName = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'));

const Step = z.strictObject({
  name: Name,
  run: z.string().check(z.minLength(1, 'a shell command')),
  timeout: z.optional(Duration),
  retries: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(10)), 0),
  env: z.optional(z.record(EnvVarName, z.string())),
});

const Stage = z.strictObject({ name: Name, steps: z.array(Step).check(z.minLength(1, 'a stage needs at least one step')) });

const Environment = z.strictObject({
  branch: z.string().check(z.minLength(1)),
  approval: z._default(z.enum(['auto', 'manual']), 'auto'),
  path: z.optional(z.string().check(z.minLength(1))),
  protected: z.optional(z.boolean()),
  /** Remote hosts serving the environment (host-spec.ts); absent: the local `current` only. */
  hosts: z.optional(z.array(HostSpecText).check(z.minLength(1, 'at least one host, e.g. [deploy@10.0.0.5:/srv/model], or no hosts: key'))),
});

export const PipelineConfigSchema = z
  .strictObject({
    version: z.literal(1, 'only version 1 exists'),
    // Keys checked below, so a bad name says which and why (zod's record says "Invalid key in record").
    environments: z.record(z.string().check(z.meta({ pattern: NAME_PATTERN.source, maxLength: 64 })), Environment),
    stages: z.array(Stage).check(z.minLength(1, 'at least one stage')),
    artifacts: z._default(z.array(z.string().check(z.minLength(1))), []),
    deploy: z.optional(z.strictObject({ run: z.string().check(z.minLength(1)), timeout: z.optional(Duration) })),
    verify: z.optional(
      z.strictObject({ steps: z._default(z.array(Step), []), checks: z._default(z.array(Check), []), gates: z._default(z.record(z.string().check(z.minLength(1)), Gate), {}) }),
    ),
    monitor: z.optional(
      z.strictObject({
        run: z.optional(z.string().check(z.minLength(1))),
        // Measured once per `every` tick (their own count/every/failures do not apply here): each
        // failed measurement counts toward `failures` in a row, like a failed `run`.
        checks: z._default(z.array(Check), []),
        every: z._default(Duration, 30_000),
        failures: z._default(z.number().check(z.int(), z.minimum(1)), 3),
        timeout: z.optional(Duration),
      }),
    ),
    rollback: z.optional(z.strictObject({ auto: z._default(z.boolean(), false) })),
    // Build once, promote: a commit that already has a release with the same config reuses it.
    promote: z._default(z.enum(['reuse', 'rebuild']), 'reuse'),
    history: z.optional(
      z.strictObject({
        keepRuns: z._default(z.number().check(z.int(), z.minimum(1)), 500),
        keepReleases: z._default(z.number().check(z.int(), z.minimum(1)), 50),
      }),
    ),
    secrets: z._default(z.array(EnvVarName), []),
    // Backups of `.axum/` (docs/backups.md): local folders and folders on SSH hosts.
    backup: z.optional(
      z.strictObject({
        to: z.array(BackupTarget).check(z.minLength(1, 'at least one folder, e.g. to: [/mnt/nas/axum, backup@10.0.0.9:/srv/axum-backup]')),
        // A floor, so a typo such as `every: 1s` cannot keep the disk and the NAS busy for nothing.
        every: z._default(
          Duration.check(z.refine((ms) => ms >= 60_000, 'at least 1m (a backup re-reads the history each time)')),
          3_600_000,
        ),
        // Older backups kept at each target (restic's snapshots: their objects are shared, so one more
        // costs only what changed); `axum restore --from T --list` names them.
        keep: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(1000)), 10),
      }),
    ),
    watch: z.optional(z.strictObject({ paths: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)), stages: z.array(Name).check(z.minLength(1)) })),
  })
  .check(z.superRefine((config, ctx) => {
    if (Object.keys(config.environments).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['environments'], message: 'at least one environment, e.g. dev: { branch: develop }' });
    }
    config.artifacts.forEach((pattern, i) => {
      const problem = artifactPatternProblem(pattern);
      if (problem) ctx.addIssue({ code: 'custom', path: ['artifacts', i], message: `"${pattern}": ${problem}` });
    });
    const seenBranch = new Map<string, string>();
    for (const [env, spec] of Object.entries(config.environments)) {
      if (!NAME_PATTERN.test(env) || env.length > 64) {
        ctx.addIssue({ code: 'custom', path: ['environments', env], message: `${NAME_RULE} (at most 64)` });
      }
      const branchProblem = branchNameProblem(spec.branch);
      if (branchProblem) ctx.addIssue({ code: 'custom', path: ['environments', env, 'branch'], message: `"${spec.branch}": ${branchProblem}` });
      (spec.hosts ?? []).forEach((host, i, all) => {
        if (all.indexOf(host) !== i) ctx.addIssue({ code: 'custom', path: ['environments', env, 'hosts', i], message: `"${host}" is listed twice` });
      });
      const other = seenBranch.get(spec.branch);
      if (other !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['environments', env, 'branch'],
          message: `branch "${spec.branch}" already feeds environment "${other}" (one branch feeds one environment)`,
        });
      }
      seenBranch.set(spec.branch, env);
    }
    for (const { env, key, message } of sharedPlaceProblems(config.environments)) ctx.addIssue({ code: 'custom', path: ['environments', env, key], message });
    const stageNames = new Set<string>();
    const stepNames = new Set<string>();
    config.stages.forEach((stage, i) => {
      if (stageNames.has(stage.name)) {
        ctx.addIssue({ code: 'custom', path: ['stages', i, 'name'], message: `duplicate stage name "${stage.name}"` });
      }
      stageNames.add(stage.name);
      stage.steps.forEach((step, j) => {
        if (stepNames.has(step.name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['stages', i, 'steps', j, 'name'],
            message: `duplicate step name "${step.name}" (step names are unique across stages: \`axum logs --step\` uses them)`,
          });
        }
        stepNames.add(step.name);
      });
    });
    if (config.monitor && config.monitor.run === undefined && config.monitor.checks.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['monitor'], message: 'a monitor needs run: (a command) or checks: (Prometheus queries), or both' });
    }
    const verifyNames = new Set(config.verify?.steps.map((s) => s.name));
    config.verify?.checks.forEach((check, i) => {
      if (verifyNames.has(check.name) || check.name === 'deploy') {
        ctx.addIssue({ code: 'custom', path: ['verify', 'checks', i, 'name'], message: `duplicate name "${check.name}" (verify steps and checks are unique: \`axum logs ENV#N --step\` uses them)` });
      }
      verifyNames.add(check.name);
    });
    config.watch?.stages.forEach((name, i) => {
      if (!stageNames.has(name)) {
        ctx.addIssue({ code: 'custom', path: ['watch', 'stages', i], message: `stage "${name}" is not defined in stages` });
      }
    });
  }));

/** A validated `axum.yml`, with defaults filled in and durations in milliseconds. */
export type PipelineConfig = z.output<typeof PipelineConfigSchema>;
