import { describe, expect, it } from 'vitest';
import type { EnvironmentView } from '@axum/protocol';
import { incidentRows } from './EnvironmentsTable.js';

const env = (extra: Partial<EnvironmentView>): EnvironmentView => ({ name: 'staging', incident: null, paused: null, ...extra }) as EnvironmentView;

describe("the dashboard's incident line", () => {
  it('shows the incident as the daemon says it, paused or not (the daemon sets none that only repeats the pause)', () => {
    const paused = { since: 't', revision: 8, reason: 'inconclusive: f1 = 0.8' };
    expect(incidentRows(env({ paused }), 80)).toEqual([]);
    expect(incidentRows(env({ paused, incident: '#7 failed verify: accuracy' }), 80)).toEqual(['! staging: #7 failed verify: accuracy']);
    expect(incidentRows(env({ incident: '#8 inconclusive: f1' }), 80)).toEqual(['! staging: #8 inconclusive: f1']);
    // An earlier pause kept: the daemon says the newer inconclusive revision in the incident, and it shows.
    expect(incidentRows(env({ paused, incident: 'rollback #9 inconclusive: x' }), 80)).toEqual(['! staging: rollback #9 inconclusive: x']);
  });
  it('matches no text against the pause: an incident the daemon sets is shown', () => {
    const paused = { since: 't', revision: 8, reason: 'inconclusive: f1 = 0.8' };
    expect(incidentRows(env({ paused, incident: '#8 inconclusive: f1 = 0.8' }), 80)).toEqual(['! staging: #8 inconclusive: f1 = 0.8']);
  });
});
