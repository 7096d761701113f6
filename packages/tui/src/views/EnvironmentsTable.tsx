import { Box, Text } from 'ink';
import type { EnvironmentView } from '@axum/protocol';
import { environmentCells, healthCell, pauseLine, servingText } from '../state/selectors.js';
import { fitFlags, flagWords } from '../state/flag-words.js';
import type { TuiState } from '../state/tui-state.js';
import { fitCell, fitColumns } from './column-fit.js';
import { GUTTER, gutter } from './gutter.js';
import { wrapText } from './wrap-text.js';

const HEALTH_MAX = 27;

/**
 * The columns, each as wide as its widest cell (up to `max`); FLAGS, the last, takes what is left.
 * Identity and state (ENV, LIVE, HEALTH, FLAGS: pinned, paused, awaiting approval) always show;
 * where the row is too narrow BRANCH goes first, then LKG, then RELEASE (all three are in the
 * history, Enter). FLAGS wants room for its short forms only: it says its words where it has more.
 */
const COLUMNS = [
  { title: 'ENV', max: 16, cell: 'name', priority: 0 },
  { title: 'BRANCH', max: 12, cell: 'branch', priority: 3 },
  { title: 'LIVE', max: 12, cell: 'liveBrief', priority: 0 },
  // Which release serves, beside the revision: `#7` is this environment's count, `rel-5` what it runs.
  { title: 'RELEASE', max: 10, cell: 'release', priority: 1 },
  { title: 'LKG', max: 6, cell: 'lkg', priority: 2 },
  { title: 'HEALTH', max: HEALTH_MAX, cell: 'health', priority: 0 },
  { title: 'FLAGS', max: Number.MAX_SAFE_INTEGER, cell: 'shortFlags', priority: 0 },
] as const;

/** The environments, one row each, the selected one highlighted. */
/**
 * An environment's incident on at most two rows: cut to one at 80 columns, it lost its end — what
 * the daemon did about it (`rolled back to #21`), the part a person acts on.
 */
export function incidentRows(env: EnvironmentView, columns: number): string[] {
  return env.incident ? wrapText(`! ${env.name}: ${env.incident}`, columns, { indent: '  ', maxRows: 2 }) : [];
}

export function EnvironmentsTable({ state, environments, columns = 80 }: { state: TuiState; environments: EnvironmentView[]; columns?: number }) {
  if (!state.daemon) return <Text dimColor>waiting for the daemon…</Text>;
  if (environments.length === 0 && state.filter.text) return <Text dimColor>no environment matches /{state.filter.text}</Text>;
  if (environments.length === 0) {
    return <Text dimColor>no environments: add some under `environments:` in axum.yml (e.g. production: {'{'} branch: main {'}'})</Text>;
  }
  // `#3 failed` where a failed release still serves: the dashboard never says nothing is live then.
  // HEALTH too wide for its column (an incident's `!` before the check and the metric) leaves out the LKG's value rather than cut the metric.
  const fitted = (env: EnvironmentView) => (healthCell(env).length <= HEALTH_MAX ? healthCell(env) : healthCell(env, true));
  const rows = environments.map((env) => ({ ...environmentCells(env), health: fitted(env), liveBrief: servingText(env, true), flagWords: flagWords(env), shortFlags: fitFlags(flagWords(env), 0) }));
  // Measured over the rows shown, with a column of space between; a column too narrow goes whole, never half.
  const last = COLUMNS.length - 1;
  const widths = fitColumns(
    COLUMNS.map((c, j) => ({ title: c.title, wants: Math.min(c.max, Math.max(c.title.length, ...rows.map((r) => r[c.cell].length))), priority: c.priority, flex: j === last })),
    columns - GUTTER.length,
  );
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {GUTTER}
        {COLUMNS.map((c, j) => fitCell(c.title, widths[j]!, j === last)).join('')}
      </Text>
      {environments.map((env, i) => {
        const cells = rows[i]!;
        const selected = i === state.selected && state.focus === 'environments';
        return (
          <Text key={env.name} inverse={selected} wrap="truncate-end">
            {gutter(selected)}
            {COLUMNS.map((c, j) => (j === last ? fitCell(fitFlags(cells.flagWords, widths[j]!), widths[j]!, true) : fitCell(cells[c.cell], widths[j]!))).join('')}
          </Text>
        );
      })}
      {environments
        .filter((env) => env.paused)
        .map((env) => (
          <Text key={`paused-${env.name}`} color="yellow" wrap="truncate-end">
            ⏸ {pauseLine(env, true)}
          </Text>
        ))}
      {environments.flatMap((env) =>
        incidentRows(env, columns).map((row, i) => (
          <Text key={`incident-${env.name}-${i}`} color="red">
            {row}
          </Text>
        )),
      )}
    </Box>
  );
}
