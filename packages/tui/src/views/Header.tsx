import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import type { AttachedClient } from '@axum/protocol';
import { connectionLabel, type TuiState } from '../state/tui-state.js';
import { connectionDetail } from '../state/notices.js';
import { backupBadge } from '../state/backups.js';

/**
 * Who is attached, as Tilt shows who is looking, in `room` columns: `3 clients: you, alice tui pts/4
 * 5m, status`; when the names do not fit, counted by command: `5 clients: you, 3 tui, status`.
 */
export function presence(attached: AttachedClient[], count: number, me: string | null, room: number, now = Date.now()): string {
  const clients = `${count} client${count === 1 ? '' : 's'}`;
  const others = attached.filter((c) => c.id !== me);
  if (others.length === 0) return clients;
  const since = (iso: string) => {
    const minutes = Math.floor((now - Date.parse(iso)) / 60_000);
    return minutes < 1 ? '' : minutes < 60 ? ` ${minutes}m` : ` ${Math.floor(minutes / 60)}h`;
  };
  const name = (c: AttachedClient) => c.name.replace(/^axum-/, '');
  const you = attached.length > others.length ? ['you'] : [];
  const full = `${clients}: ${[...you, ...others.map((c) => `${c.user ? `${c.user} ` : ''}${name(c)}${c.terminal ? ` ${c.terminal}` : ''}${since(c.since)}`)].join(', ')}`;
  if (full.length <= room) return full;
  const byName = new Map<string, number>();
  for (const c of others) byName.set(name(c), (byName.get(name(c)) ?? 0) + 1);
  const counted = `${clients}: ${[...you, ...[...byName].map(([n, k]) => (k === 1 ? n : `${k} ${n}`))].join(', ')}`;
  // No room even for that (a STALE header): the count alone, never cut to `2 cli…`.
  return counted.length <= room ? counted : clients;
}

// Backup ages are said in seconds below 90 s, then minutes: a tick of 15 s keeps them true enough
// and redraws one header line four times a minute.
const AGE_TICK_MS = 15_000;

/** The time now; the caller renders again every `everyMs` (null: only when something else renders it). */
function useClock(everyMs: number | null): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (everyMs === null) return;
    const timer = setInterval(() => setTick((tick) => tick + 1), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return Date.now();
}

/** Repository, daemon and connection state; a red banner while disconnected. */
export function Header({ state, columns = 80 }: { state: TuiState; columns?: number }) {
  const { daemon, connection } = state;
  const color = connection.kind === 'connected' ? 'green' : connection.kind === 'failed' ? 'red' : 'yellow';
  const now = useClock(daemon && daemon.backups.length > 0 ? AGE_TICK_MS : null);
  const backup = daemon ? backupBadge(daemon.backups, now) : null;
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
            {'  '}pid {daemon.daemon.pid} · v{daemon.daemon.version}
            {/* Who is attached is known only while connected: the last count would be stale, and the connection's words say why there is none. */}
            {connection.kind === 'connected' ? ` · ${presence(daemon.attached, daemon.clients, connection.clientId, columns - connectionLabel(connection).length - (backup ? backup.text.length + 2 : 0) - `    pid ${daemon.daemon.pid} · v${daemon.daemon.version} · `.length)}` : ''}
          </Text>
        )}
      </Box>
      {connectionDetail(connection) !== null && (
        <Text color={color} wrap="truncate-end">
          {connectionDetail(connection)}
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
