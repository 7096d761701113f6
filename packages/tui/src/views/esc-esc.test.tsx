// Esc pressed twice quickly reaches the TUI in one read: the whole App, fed raw bytes on its stdin,
// goes back two levels (the log search, then the run view), not one.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonState, RunView } from '@axum/protocol';
import type { DaemonConnection } from '../client/daemon-connection.js';
import { App } from './App.js';

const run: RunView = {
  id: 'run-3', number: 3, status: 'failed', commit: 'a'.repeat(40), branch: 'develop', env: 'dev', trigger: 'push', reused: false,
  createdAt: '2026-12-05T10:00:00.000Z', startedAt: '2026-12-05T10:00:00.000Z', finishedAt: '2026-12-05T10:00:05.000Z',
  steps: [{ stage: 'build', name: 'train', status: 'failed', exitCode: 1, durationMs: 5000, startedAt: '2026-12-05T10:00:00.000Z', attempts: 1, logBytes: 0 }],
  subject: 'a bad model', releaseId: null, message: null, warnings: [], deploy: null,
} as RunView;
const state = {
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/repo', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' },
  environments: [], runs: [run], warnings: [], clients: 1, attached: [], activity: [], backups: [],
} as unknown as DaemonState;

/** A daemon that sent its state and answers nothing more (the log stays loading: no key here needs it). */
const connection: DaemonConnection = {
  clientId: 'c1',
  welcomeState: state,
  request: () => new Promise(() => undefined),
  onMessage: () => () => undefined,
  onClose: () => () => undefined,
  close: () => undefined,
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('Esc Esc in one read', () => {
  it('leaves a log search and then the run view: back on the dashboard', async () => {
    const { stdin, lastFrame, unmount } = render(<App repoRoot="/repo" connection={connection} />);
    try {
      await settle();
      for (const key of ['\t', '\r', '/']) {
        stdin.write(key);
        await settle();
      }
      expect(lastFrame()).toContain('(Enter to search, Esc to cancel)');
      expect(lastFrame()).not.toContain('Tab focus');
      stdin.write('\u001b\u001b');
      await settle();
      const frame = lastFrame() ?? '';
      expect(frame).not.toContain('Enter to search');
      // The dashboard's footer: `/` filters its lists (in the run view it searches the log).
      expect(frame).toContain('/ filter');
      expect(frame).toMatch(/› run-3\s+failed/);
    } finally {
      unmount();
    }
  });
});
