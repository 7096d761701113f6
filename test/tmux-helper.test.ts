// The tests' own tmux server (test/support/tmux.ts): a session opened right after the server was
// killed, or right after a server started without one, is opened, never "server exited unexpectedly".
import { describe, expect, it } from 'vitest';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';

describe.runIf(HAS_TMUX)('the tests\' tmux server', () => {
  it('opens a session right after kill-server, every time (the next test after one that killed it)', () => {
    const server = tmuxServer('axum-helper-kill');
    try {
      for (let i = 0; i < 60; i++) {
        server.tmux('new-session', '-d', '-s', 'one', 'sleep 30');
        server.kill();
      }
    } finally {
      server.kill();
    }
  });

  it('keeps the options it was started with until a session opens', () => {
    const server = tmuxServer('axum-helper-start');
    try {
      for (let i = 0; i < 20; i++) {
        server.start(['set-clipboard', 'on']);
        server.tmux('new-session', '-d', '-s', 'one', 'sleep 30');
        expect(server.tmux('show-options', '-gv', 'set-clipboard').trim()).toBe('on');
        server.kill();
      }
    } finally {
      server.kill();
    }
  });
});
