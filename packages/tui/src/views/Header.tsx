import { Box, Text } from 'ink';
import { connectionLabel, type TuiState } from '../state/tui-state.js';

/** Repository, daemon and connection state; a red banner while disconnected. */
export function Header({ state }: { state: TuiState }) {
  const { daemon, connection } = state;
  const color = connection.kind === 'connected' ? 'green' : connection.kind === 'failed' ? 'red' : 'yellow';
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Box>
        <Text bold>axum</Text>
        <Text> · {daemon ? daemon.daemon.repo : '…'}</Text>
      </Box>
      <Box>
        <Text color={color}>● {connectionLabel(connection)}</Text>
        {daemon && (
          <Text dimColor>
            {'  '}daemon pid {daemon.daemon.pid} · v{daemon.daemon.version} · {daemon.clients} client{daemon.clients === 1 ? '' : 's'} attached
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
