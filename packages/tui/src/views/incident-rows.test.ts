import { describe, expect, it } from 'vitest';
import type { EnvironmentView } from '@axum/protocol';
import { incidentRows } from './EnvironmentsTable.js';

const env = (extra: Partial<EnvironmentView>): EnvironmentView => ({ name: 'staging', incident: null, paused: null, ...extra }) as EnvironmentView;

describe("the dashboard's incident line", () => {
  it('is left out when it is the inconclusive revision the environment is paused over: its pause line says it', () => {
    const paused = { since: 't', revision: 8, reason: 'inconclusive: f1 = 0.8' };
    expect(incidentRows(env({ paused, incident: '#8 inconclusive: f1 = 0.8; staging is paused' }), 80)).toEqual([]);
    expect(incidentRows(env({ paused, incident: 'rollback #8 inconclusive: f1 = 0.8' }), 80)).toEqual([]);
  });
  it('stays for any other incident, paused or not', () => {
    const paused = { since: 't', revision: 8, reason: 'r' };
    expect(incidentRows(env({ paused, incident: '#7 failed verify: accuracy' }), 80)).toEqual(['! staging: #7 failed verify: accuracy']);
    expect(incidentRows(env({ incident: '#8 inconclusive: f1' }), 80)).toEqual(['! staging: #8 inconclusive: f1']);
    expect(incidentRows(env({ paused, incident: '#18 inconclusive: x' }), 80)).toEqual(['! staging: #18 inconclusive: x']);
  });
});
