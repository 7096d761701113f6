// An environment named on the command line that the repository does not have is a usage error (a
// typo, or the name of another project's environment): said with the names it has, and the one
// meant when the typo is close, before anything is asked of the daemon.
import { nearestWord, type EnvironmentView } from '@axum/protocol';
import type { DaemonConnection } from '../client/daemon-connection.js';
import { CliError, EXIT } from './exit-codes.js';

/** `unknown environment 'prodution' (did you mean production?; environments: dev, staging, production)`. */
export function unknownEnvironmentMessage(name: string, known: readonly string[]): string {
  const meant = nearestWord(name, known);
  const names = known.length > 0 ? `environments: ${known.join(', ')}` : 'the daemon knows none: axum validate checks axum.yml';
  return `unknown environment '${name}' (${meant ? `did you mean ${meant}?; ` : ''}${names})`;
}

/** The environment `name` names in the daemon's snapshot, or a usage error naming the ones there are. */
export function knownEnvironment(connection: Pick<DaemonConnection, 'welcomeState'>, name: string): EnvironmentView {
  const environments = connection.welcomeState.environments;
  const env = environments.find((e) => e.name === name);
  if (!env) throw new CliError(unknownEnvironmentMessage(name, environments.map((e) => e.name)), EXIT.usage);
  return env;
}
