/** Options every command takes (README.md, "Commands"). */
export interface GlobalOptions {
  repo?: string;
  json?: boolean;
}

/** Where commands print: stdout carries results only (one JSON document under --json). */
export interface Output {
  lines(lines: string[]): void;
  json(value: unknown): void;
}

/** The process's stdout. */
export const stdoutOutput: Output = {
  lines: (lines) => process.stdout.write(lines.map((l) => `${l}\n`).join('')),
  json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
};
