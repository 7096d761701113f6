// A notice from another terminal that waited behind a refusal is not shown for no time when the key
// that ends the hold makes a notice of its own: it waits behind that one (the whole App, real keys).
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonMessage, EnvironmentView } from '@axum/protocol';
import type { DaemonConnection } from '../client/daemon-connection.js';
import { daemonState } from '../state/first-hour.test.js';
import { App } from './App.js';

const staging: EnvironmentView = {
  name: 'staging', branch: 'main', path: '/r/staging', protected: false, approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: { revision: 1, releaseId: 'rel-1', commit: 'c'.repeat(40) }, serving: null, lastKnownGood: null, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null,
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
const OTHER = 'bob (axum on pts/2) pinned production';

describe('a notice that waited behind a refusal', () => {
  it("waits behind the notice of the key that ends the hold, and shows when that one goes", async () => {
    const listeners: ((message: DaemonMessage) => void)[] = [];
    const connection: DaemonConnection = {
      clientId: 'c1',
      welcomeState: daemonState([staging]),
      request: () => new Promise(() => undefined),
      onMessage: (listener) => {
        listeners.push(listener);
        return () => undefined;
      },
      onClose: () => () => undefined,
      close: () => undefined,
    };
    const { stdin, lastFrame, unmount } = render(<App repoRoot="/repo" connection={connection} />);
    try {
      await settle();
      stdin.write('a');
      await settle();
      expect(lastFrame()).toContain('a: nothing is waiting for approval here');
      // Another terminal's act while the refusal holds the footer: it waits.
      for (const listener of listeners) listener({ type: 'activity.added', entry: { at: '2026-12-05T10:00:07.000Z', who: 'bob (axum on pts/2)', what: 'pinned production', clientId: 'other' } } as DaemonMessage);
      await settle();
      expect(lastFrame()).not.toContain(OTHER);
      // The key that ends the hold is refused too: its own refusal shows, what waited still waits.
      stdin.write('a');
      await settle();
      expect(lastFrame()).toContain('a: nothing is waiting for approval here');
      expect(lastFrame()).not.toContain(OTHER);
      // A key that says nothing: that refusal has been seen, what waited shows.
      stdin.write('j');
      await settle();
      expect(lastFrame()).toContain(OTHER);
    } finally {
      unmount();
    }
  });
});
