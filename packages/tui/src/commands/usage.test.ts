import { describe, expect, it } from 'vitest';
import { cleanParserMessage, suggestCommand, unknownCommandMessage, usageHint } from './usage.js';

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
  it("points at the named command's help", () => {
    expect(usageHint(['rollback', 'staging', '--bogus'], COMMANDS)).toBe('axum rollback --help for usage');
    expect(usageHint(['--json', 'daemon', 'stop', '-x'], COMMANDS)).toBe('axum daemon stop --help for usage');
    expect(usageHint(['daemon', 'restart'], COMMANDS)).toBe('axum daemon --help for usage');
    expect(usageHint(['--jsn'], COMMANDS)).toBe('axum --help for usage');
  });
});
