import { describe, expect, it } from 'vitest';
import { cleanParserMessage, suggestCommand, unknownCommandMessage } from './usage.js';

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
  });
});
