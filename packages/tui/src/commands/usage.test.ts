import { describe, expect, it } from 'vitest';
import { cleanParserMessage, commandPathOf, suggestCommand, unknownCommandMessage } from './usage.js';

const COMMANDS = ['status', 'runs', 'run', 'logs', 'cancel', 'history', 'rollback', 'deploy', 'approve', 'pin', 'unpin', 'fsck', 'demo', 'validate', 'init', 'daemon'];

describe('usage errors', () => {
  it('suggests the command a typo or a habit meant', () => {
    expect(suggestCommand('rollbak', COMMANDS)).toBe('rollback');
    expect(suggestCommand('histroy', COMMANDS)).toBe('history');
    expect(suggestCommand('list', COMMANDS)).toBe('runs');
    expect(suggestCommand('rerun', COMMANDS)).toBe('run');
    expect(suggestCommand('xyzzy', COMMANDS)).toBeNull();
    expect(suggestCommand('constructor', COMMANDS)).toBeNull();
  });
  it('says so in one line', () => {
    expect(unknownCommandMessage('rollbak', COMMANDS)).toBe("unknown command 'rollbak' (did you mean rollback?); axum --help lists the commands");
    expect(cleanParserMessage("error: unknown option '--fllow'\n")).toBe("unknown option '--fllow'");
    expect(cleanParserMessage("error: unknown option '--jsn'\n(Did you mean --json?)")).toBe("unknown option '--jsn' (did you mean --json?)");
  });
  it('a command group names its own commands, and a parse failure finds the command it belongs to', () => {
    expect(unknownCommandMessage('sttus', ['start', 'stop', 'status'], 'daemon')).toBe("unknown command 'daemon sttus' (did you mean daemon status?); axum daemon --help lists the commands");
    const groups = new Map<string, string[]>([['deploy', []], ['daemon', ['start', 'stop', 'status']]]);
    expect(commandPathOf(['--repo', 'deploy', 'deploy', 'staging', '--bogus'], groups, new Set(['--repo']))).toEqual(['deploy']);
    expect(commandPathOf(['daemon', 'start', '--bogus'], groups, new Set(['--repo']))).toEqual(['daemon', 'start']);
    expect(commandPathOf(['nope', 'deploy'], groups, new Set(['--repo']))).toEqual([]);
  });
});
