// A step cancelled or timed out while its output is still in its pipes: the note that says so comes
// after every byte the step wrote (a reader of the log sees the output, then why it stopped).
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createChildProcessRunner } from './child-process-runner.js';

function runStep(command: string, stopOnFirstOutput: boolean, timeoutMs: number | null = null) {
  const runner = createChildProcessRunner({ marker: `axum-runner-test-${process.pid}`, graceMs: 2_000 });
  const controller = new AbortController();
  const chunks: Buffer[] = [];
  const log = {
    write(chunk: Buffer) {
      chunks.push(chunk);
      if (stopOnFirstOutput && chunks.length === 1) controller.abort('cancel');
    },
  };
  const done = runner.run({ command, cwd: tmpdir(), env: { PATH: process.env.PATH ?? '' }, timeoutMs, log: log as never, onSpawn: () => undefined }, controller.signal);
  return done.then((result) => ({ result, text: Buffer.concat(chunks).toString('utf8') }));
}

describe('the child-process runner', () => {
  it('a step cancelled at its first output: its note is the last line, after all it wrote', async () => {
    // seq fills the pipe: more is in it when the cancel comes (the signal then stops seq midway).
    const { result, text } = await runStep('seq 1 80000; sleep 30', true);
    expect(result.status).toBe('cancelled');
    const lines = text.split('\n');
    expect(lines.at(-2)).toBe("[axum] cancelled: stopped the step's process group");
    expect(lines.filter((l) => l.startsWith('[axum]'))).toHaveLength(1);
    // Before it, seq's numbers in order, none missing, and more than the first chunk held.
    const numbers = lines.slice(0, -3);
    expect(numbers.length).toBeGreaterThan(1000);
    expect(numbers.every((n, i) => n === String(i + 1))).toBe(true);
  });

  it("a step that printed nothing before it was stopped: the note alone, no empty line before it", async () => {
    const { result, text } = await runStep('sleep 30', false, 200);
    expect(result.status).toBe('timed-out');
    expect(text).toBe("[axum] timed out after 200 ms: stopped the step's process group\n");
  });
});
