import { describe, expect, it } from 'vitest';
import { gateProblem, gateThresholdText, parseGate } from './gate-expression.js';

describe('gate grammar', () => {
  it('reads fixed, relative and fallback gates', () => {
    expect(parseGate('>= 0.90')).toEqual({ op: '>=', bound: { fixed: 0.9 }, fallback: null });
    expect(parseGate('<=250')).toEqual({ op: '<=', bound: { fixed: 250 }, fallback: null });
    expect(parseGate('>= lkg - 0.01')).toEqual({ op: '>=', bound: { lkg: { by: '-', amount: 0.01 } }, fallback: null });
    expect(parseGate('<= lkg * 1.10')).toEqual({ op: '<=', bound: { lkg: { by: '*', amount: 1.1 } }, fallback: null });
    expect(parseGate('<= lkg+5')).toEqual({ op: '<=', bound: { lkg: { by: '+', amount: 5 } }, fallback: null });
    expect(parseGate('>= lkg')).toEqual({ op: '>=', bound: { lkg: null }, fallback: null });
    expect(parseGate('>= lkg - 0.01 or >= 0.85')).toEqual({ op: '>=', bound: { lkg: { by: '-', amount: 0.01 } }, fallback: { op: '>=', threshold: 0.85 } });
  });
  it.each(['0.9', '>= ', '>= lkg -', '>= lkg / 2', '>= LKG - 1', '=> 0.9', '>= lkg - 0.01 or', '>= lkg - 0.01 or >= lkg', '>= 0.9 or >= 0.8', '>= 1e3'])('refuses %j', (text) => {
    expect(parseGate(text)).toBeNull();
    expect(gateProblem(text)).toContain(`"${text}"`);
  });
  it('explains that a fallback belongs to a relative gate', () => {
    expect(gateProblem('>= 0.9 or >= 0.8')).toMatch(/fallback .* only a gate relative to the last known good/);
  });
  it('shows the threshold used with the LKG value it came from', () => {
    expect(gateThresholdText({ op: '>=', threshold: 0.91, lkgValue: 0.92, expression: '>= lkg - 0.01' })).toBe('>= 0.91 (lkg 0.92 - 0.01)');
    expect(gateThresholdText({ op: '>=', threshold: 0.85, lkgValue: null, expression: '>= lkg - 0.01 or >= 0.85' })).toBe('>= 0.85');
    expect(gateThresholdText({ op: '>=', threshold: null, lkgValue: null, expression: '>= lkg - 0.01' })).toBe('>= lkg - 0.01');
    expect(gateThresholdText({ op: '>=', threshold: 0.9, lkgValue: 0.95, expression: '' })).toBe('>= 0.9');
  });
});
