import { userInfo } from 'node:os';

/** Who acts, for a revision's `by`: `$USER`, else the account's name from the system (cron, CI, `env -i`). */
export function userName(): string {
  if (process.env.USER) return process.env.USER;
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/**
 * Who asks, as the daemon records it (a revision's `by`, a mark's `by`): `ana via axum rollback`.
 * The person first, then how; no pid — history is read long after the process is gone.
 */
export const commandBy = (command: string): string => `${userName()} via axum ${command}`;
