import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a step's processes are contained. A process group is left by `setsid`, and a scrubbed
 * environment (`env -i`) hides the step marker: a cgroup v2 per step is left by neither, so
 * whatever a step started is found and killed when it ends (and by the next daemon after a crash).
 */
export interface Containment {
  /** `cgroup` when steps run in their own cgroup; else `process-group`, with why. */
  readonly kind: 'cgroup' | 'process-group';
  /** One line for the log and `axum status`. */
  readonly description: string;
  /** A fresh cgroup for one step process, or null (containment is by process group only). */
  create(): StepCgroup | null;
  /** Kills whatever a previous daemon's steps left in their cgroups and removes them; returns the pids killed. */
  sweep(): number[];
  /** At a clean stop: removes the daemon's (by now empty) parent cgroup. */
  close(): void;
}

/** The cgroup of one step: its process joins it before running the step's command. */
export interface StepCgroup {
  /** The `cgroup.procs` file the step's shell writes its pid to. */
  readonly procsFile: string;
  /** Kills every process in it (`cgroup.kill`, else SIGKILL each member). */
  kill(): void;
  /** Kills what is left and removes the cgroup once it is empty. */
  remove(): Promise<void>;
}

/** The cgroup2 mount point (`/sys/fs/cgroup`, or `/sys/fs/cgroup/unified` on hybrid systems), or null. */
function cgroup2Mount(): string | null {
  try {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const [left, right] = line.split(' - ');
      if (right?.startsWith('cgroup2 ')) return left?.split(' ')[4] ?? null;
    }
  } catch {
    // not Linux
  }
  return null;
}

/** This process's own cgroup v2 path (`0::/path` in /proc/self/cgroup). */
function ownCgroup(): string {
  try {
    const line = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'));
    return line?.slice(3) || '/';
  } catch {
    return '/';
  }
}

const members = (dir: string): number[] => {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

/** Kills every member of a cgroup: `cgroup.kill` (Linux ≥ 5.14) takes new forks too; else each pid. */
function killAll(dir: string): number[] {
  const pids = members(dir);
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  return pids;
}

/** Waits (briefly) until the killed members are gone, then removes the cgroup; a leftover is swept next start. */
async function removeWhenEmpty(dir: string): Promise<void> {
  for (let i = 0; i < 100 && members(dir).length > 0; i++) {
    killAll(dir);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  try {
    rmdirSync(dir);
  } catch {
    // still populated or already gone: the next daemon's sweep removes it
  }
}

/**
 * Cgroup v2 containment under `<this process's cgroup>/axum-<key>` when the daemon may create
 * cgroups there (root, or a delegated subtree); otherwise containment by process group only, and
 * it says why.
 */
export function createCgroupContainment(key: string): Containment {
  const mount = cgroup2Mount();
  const fallback = (why: string): Containment => ({
    kind: 'process-group',
    description: `containment by process group only: ${why} (a step's process that calls setsid can outlive it)`,
    create: () => null,
    sweep: () => [],
    close: () => undefined,
  });
  if (!mount) return fallback('no cgroup v2 filesystem is mounted');
  const base = join(mount, ownCgroup(), `axum-${key}`);
  try {
    mkdirSync(base, { recursive: true });
    if (!existsSync(join(base, 'cgroup.procs'))) throw new Error(`${base} is not a cgroup`);
  } catch (err) {
    return fallback(`cannot create cgroups under ${join(mount, ownCgroup())} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let next = 0;
  return {
    kind: 'cgroup',
    description: `containment by cgroup v2: each step runs in its own cgroup under ${base}`,
    create() {
      const dir = join(base, `step-${process.pid}-${++next}`);
      try {
        mkdirSync(dir);
      } catch {
        return null;
      }
      return { procsFile: join(dir, 'cgroup.procs'), kill: () => void killAll(dir), remove: () => removeWhenEmpty(dir) };
    },
    sweep() {
      const killed: number[] = [];
      let dirs: string[];
      try {
        dirs = readdirSync(base, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => join(base, d.name));
      } catch {
        return killed;
      }
      for (const dir of dirs) {
        killed.push(...killAll(dir));
        void removeWhenEmpty(dir);
      }
      return killed;
    },
    close() {
      try {
        rmdirSync(base);
      } catch {
        // a step cgroup is still there: the next start sweeps it
      }
    },
  };
}
