import { terminalText } from '../terminal-text.js';

/** Options every command takes (docs/commands.md, "Options every command takes"). */
export interface GlobalOptions {
  repo?: string;
  json?: boolean;
}

/** Where commands print: stdout carries results only (one JSON document under --json). */
export interface Output {
  lines(lines: string[]): void;
  json(value: unknown): void;
}

/**
 * A line as `stream` should get it: on a terminal, stripped of control sequences (subjects, names,
 * messages and step output come from outside: ARCHITECTURE.md, "Trust boundaries"), keeping at most the colours of step
 * output and showing its progress bars' last frame; on a pipe or a file, as printed, byte for byte.
 */
export function forStream(stream: { isTTY?: boolean }, line: string, stepOutput = false): string {
  return stream.isTTY ? terminalText(line, { keepColours: stepOutput, lastFrame: stepOutput }) : line;
}

/** One message line on stderr (errors quote the daemon's messages, subjects and names). */
export function stderrLine(line: string): void {
  process.stderr.write(`${forStream(process.stderr, line)}\n`);
}

/** The process's stdout; JSON needs no cleaning: its escaping leaves no control character raw. */
export const stdoutOutput: Output = {
  lines: (lines) => process.stdout.write(lines.map((l) => `${forStream(process.stdout, l)}\n`).join('')),
  json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
};
