// What a declared secret the daemon's environment lacks is said with. A running daemon keeps the
// environment it was started with, so exporting the secret in a shell changes nothing until the
// daemon starts again from that shell: the hint says both halves.

/** How the daemon gets `names`: export them, then stop the daemon so the next command starts it with them. */
export function secretsHint(names: readonly string[]): string {
  const exports = names.map((name) => `${name}=…`).join(' ');
  return `a running daemon keeps the environment it started with: export ${exports} in your shell, then axum daemon stop; the next axum command from that shell starts it again with ${names.length > 1 ? 'them' : 'it'}`;
}

/** The daemon's warning (status, daemon log) for one declared secret it does not have. */
export function unsetSecretWarning(name: string): string {
  return `secret ${name} is declared in axum.yml but not set in the daemon's environment: steps get it empty (${secretsHint([name])})`;
}

/** The warning on a run whose commit declares secrets the daemon does not have. */
export function unsetSecretsRunWarning(names: readonly string[]): string {
  const many = names.length > 1;
  return `secret${many ? 's' : ''} ${names.join(', ')} declared in axum.yml but not set in the daemon's environment: its steps get ${many ? 'them' : 'it'} empty (${secretsHint(names)})`;
}
