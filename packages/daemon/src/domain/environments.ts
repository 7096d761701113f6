import type { PipelineConfig } from '@axum/protocol';

/** An environment as the daemon understands it, before paths are made absolute. */
export interface EnvironmentSpec {
  name: string;
  branch: string;
  /** Folder of the `current` link, relative to the repository root. */
  relativePath: string;
  protected: boolean;
  approval: 'auto' | 'manual';
  /** Remote hosts serving it, as written (docs/remote-environments.md); empty for a local environment. */
  hosts: string[];
}

/**
 * Derives the environments of a config, in file order.
 * Protected: explicit `protected`, else true for `production` and for `approval: manual` (ARCHITECTURE.md, glossary).
 */
export function environmentsOf(config: PipelineConfig): EnvironmentSpec[] {
  return Object.entries(config.environments).map(([name, spec]) => ({
    name,
    branch: spec.branch,
    relativePath: spec.path ?? `.axum/envs/${name}`,
    protected: spec.approval === 'manual' || (spec.protected ?? name === 'production'),
    approval: spec.approval,
    hosts: spec.hosts ?? [],
  }));
}
