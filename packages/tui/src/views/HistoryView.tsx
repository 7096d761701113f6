import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import type { DaemonLink } from '../client/live-connection.js';
import type { TuiAction, TuiState, View } from '../state/tui-state.js';
import { gateBadge, servingOf, servingText } from '../state/selectors.js';

/** An environment's revisions, newest first; live and last known good marked; `r` rolls back to the selected one. */
export function HistoryView({ state, view, link, dispatch, rows }: { state: TuiState; view: Extract<View, { kind: 'history' }>; link: DaemonLink | null; dispatch: (action: TuiAction) => void; rows: number }) {
  const env = state.daemon?.environments.find((e) => e.name === view.env);
  const revisions = state.histories[view.env];
  // Reload whenever the environment changes (a deploy, a rollback from another terminal…).
  const key = env ? `${env.live?.revision}:${env.operation?.revision}:${env.lastKnownGood?.revision}:${env.pinned}:${env.incident}` : '';
  const [bad, setBad] = useState<Set<string>>(new Set());
  useEffect(() => {
    if (!link) return;
    link.request('releases.list', {}).then(
      (releases) => setBad(new Set(releases.filter((r) => r.bad).map((r) => r.id))),
      () => undefined,
    );
    link.request('history.get', { env: view.env }).then(
      (revisions) => dispatch({ type: 'history.loaded', env: view.env, revisions }),
      (err: Error) => dispatch({ type: 'notice', message: `history of ${view.env}: ${err.message}` }),
    );
  }, [link, view.env, key, dispatch]);
  if (!env) return <Text dimColor>no environment {view.env}</Text>;
  if (!revisions) return <Text dimColor>loading the history of {view.env}…</Text>;
  const size = Math.max(1, rows - 12);
  const start = Math.max(0, Math.min(view.selected - size + 1, revisions.length - size));
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>{env.name}</Text> ← {env.branch} · live {servingText(env)} · last known good {env.lastKnownGood ? `#${env.lastKnownGood.revision}` : '—'}
        {env.pinned ? ' · pinned' : ''}
        {env.protected ? ' · protected' : ''}
      </Text>
      {env.incident && (
        <Text color="red" wrap="truncate-end">
          ! {env.incident}
        </Text>
      )}
      <Text bold wrap="truncate-end">
        {'REV'.padEnd(5)}
        {'STATUS'.padEnd(11)}
        {'KIND'.padEnd(19)}
        {'RELEASE'.padEnd(9)}
        {'GATES'.padEnd(22)}
        {'WHEN'.padEnd(12)}BY
      </Text>
      {revisions.length === 0 && <Text dimColor>no revisions yet: a succeeded run on {env.branch} deploys one</Text>}
      {revisions.slice(start, start + size).map((r, i) => {
        const serving = servingOf(env);
        const marks = [r.revision === env.live?.revision ? 'LIVE' : '', serving?.failed && r.revision === serving.revision ? 'SERVING, FAILED' : '', r.revision === env.lastKnownGood?.revision ? 'LKG' : '', bad.has(r.releaseId) ? 'BAD' : ''].filter(Boolean).join(' ');
        return (
          <Text key={r.revision} inverse={start + i === view.selected} color={r.status === 'failed' ? 'red' : r.status === 'live' ? 'green' : undefined} wrap="truncate-end">
            {`#${r.revision}`.padEnd(5)}
            {r.status.slice(0, 10).padEnd(11)}
            {(r.kind === 'deploy' ? 'deploy' : `${r.kind} → #${r.rollbackTo}`).slice(0, 18).padEnd(19)}
            {`${r.releaseId}${bad.has(r.releaseId) ? '!' : ''}`.slice(0, 8).padEnd(9)}
            {gateBadge(r).slice(0, 21).padEnd(22)}
            {r.createdAt.slice(5, 16).replace('T', ' ').padEnd(12)}
            {r.by.slice(0, 28)} {marks}
            {r.message ? ` — ${r.message}` : ''}
          </Text>
        );
      })}
    </Box>
  );
}
