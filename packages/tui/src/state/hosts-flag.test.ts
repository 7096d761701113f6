import { describe, expect, it } from 'vitest';
import type { HostView } from '@axum/protocol';
import { hostLines } from '../commands/status.js';
import { hostsFlag } from './selectors.js';

const host = (name: string, state: HostView['state']): HostView => ({ host: `deploy@${name}:/srv/m`, releaseId: 'rel-2', state, reason: state === 'failed' ? 'Connection refused' : null, at: '' });

describe('hostsFlag: remote hosts in the FLAGS cell of the TUI and axum status', () => {
  it('says nothing for a local environment, the count when all are ok, and names the failed ones', () => {
    expect(hostsFlag([])).toBeNull();
    expect(hostsFlag([host('a', 'ok'), host('b', 'ok'), host('c', 'ok')])).toBe('3 hosts ok');
    expect(hostsFlag([host('a', 'ok'), host('b', 'unknown')])).toBe('2 hosts');
    expect(hostsFlag([host('a', 'ok'), host('b', 'failed'), host('c', 'ok')])).toBe('host deploy@b:/srv/m FAILED (1 of 3)');
  });

  it('axum status lists each host with its release, and why one failed', () => {
    expect(hostLines('production', [host('a', 'ok'), host('b', 'failed')])).toEqual([
      'host         production deploy@a:/srv/m: on rel-2 · ok',
      'host         production deploy@b:/srv/m: on rel-2 · FAILED: Connection refused',
    ]);
  });
});
