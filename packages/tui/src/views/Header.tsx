import { Box, Text } from 'ink';
import type { AttachedClient } from '@axum/protocol';
import { connectionLabel, type TuiState } from '../state/tui-state.js';
import { backupBadge } from '../state/backups.js';

/** The other attached clients, as Tilt shows who is looking: `: alice tui pts/4 (5m), status`. */
function presence(attached: AttachedClient[], me: string | null): string {
  const others = attached.filter((c) => c.id !== me);
  if (others.length === 0) return '';
  const since = (iso: string) => {
    const minutes = Math.floor((Date.now() - Date.parse(iso)) / 60_000);
    return minutes < 1 ? '' : minutes < 60 ? ` ${minutes}m` : ` ${Math.floor(minutes / 60)}h`;
  };
  return `: ${others.map((c) => `${c.user ? `${c.user} ` : ''}${c.name.replace(/^axum-/, '')}${c.terminal ? ` ${c.terminal}` : ''}${since(c.since)}`).join(', ')}`;
}

/** Repository, daemon and connection state; a red banner while disconnected. */
export function Header({ state }: { state: TuiState }) {
  const { daemon, connection } = state;
  const color = connection.kind === 'connected' ? 'green' : connection.kind === 'failed' ? 'red' : 'yellow';
  const backup = daemon ? backupBadge(daemon.backups, Date.now()) : null;
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Box>
        <Text bold>axum</Text>
        <Text> · {daemon ? daemon.daemon.repo : '…'}</Text>
      </Box>
      <Box>
        {/* The connection's word never gives way to the presence list (which is cut instead). */}
        <Box flexShrink={0}>
          <Text color={color}>● {connectionLabel(connection)}</Text>
        </Box>
        {/* Backups' age beside the connection, on the same line: a stale or failing one is never cut off. */}
        {backup && (
          <Box flexShrink={0}>
            <Text color={backup.color}>
              {'  '}
              {backup.text}
            </Text>
          </Box>
        )}
        {daemon && (
          <Text dimColor wrap="truncate-end">
            {'  '}daemon pid {daemon.daemon.pid} · v{daemon.daemon.version} · {daemon.clients} client{daemon.clients === 1 ? '' : 's'} attached
            {presence(daemon.attached, connection.kind === 'connected' ? connection.clientId : null)}
          </Text>
        )}
      </Box>
      {connection.kind !== 'connected' && connection.kind !== 'connecting' && (
        <Text color={color} wrap="truncate-end">
          {connection.reason}
        </Text>
      )}
      {daemon && !daemon.config.valid && (
        <Box flexDirection="column">
          <Text color="red">{daemon.config.file} is invalid{daemon.config.loadedAt ? ' — using the last valid version' : ''}:</Text>
          {daemon.config.errors.slice(0, 3).map((p) => (
            <Text key={`${p.line}:${p.col}:${p.message}`} color="red" wrap="truncate-end">
              {'  '}
              {p.file}:{p.line}:{p.col}: {p.message}
            </Text>
          ))}
        </Box>
      )}
    </Box>
  );
}
