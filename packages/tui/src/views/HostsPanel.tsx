import { Box, Text } from 'ink';
import type { EnvironmentView, RevisionView } from '@axum/protocol';
import { hostRows } from '../state/host-rows.js';
import { GUTTER } from './gutter.js';

// At 80 columns: host 30, current 14, seen 5, and the state takes the rest (`FAILED: …` cut at the edge).
const HOST = 30;
const CURRENT = 14;
const SEEN = 5;

/** A remote environment's hosts above its history: what each host's `current` names, ok or FAILED and why, last seen. */
export function HostsPanel({ env, revisions, age }: { env: EnvironmentView; revisions: readonly RevisionView[] | undefined; age: (iso: string) => string }) {
  const rows = hostRows(env, revisions, age);
  if (rows.length === 0) return null;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {GUTTER}
        {'HOST'.padEnd(HOST)}
        {'CURRENT'.padEnd(CURRENT)}
        {'SEEN'.padEnd(SEEN)}STATE
      </Text>
      {rows.map((row) => (
        <Text key={row.host} color={row.failed ? 'red' : undefined} wrap="truncate-end">
          {row.failed ? '✗ ' : GUTTER}
          {(row.host.length > HOST - 1 ? `${row.host.slice(0, HOST - 2)}…` : row.host).padEnd(HOST)}
          {row.current.slice(0, CURRENT - 1).padEnd(CURRENT)}
          {row.checked.padEnd(SEEN)}
          {row.state}
        </Text>
      ))}
    </Box>
  );
}
