import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseConfigText, type ConfigLoad } from '@axum/protocol';

/**
 * Reads and validates a pipeline file. Never throws: a missing file is a problem at 1:1, and so is
 * anything the parser throws (an `axum.yml` is text from outside; the daemon starts whatever it holds).
 */
export async function loadConfigFile(file: string): Promise<ConfigLoad> {
  const problem = (message: string): ConfigLoad => ({ ok: false, errors: [{ file: basename(file), line: 1, col: 1, message }] });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return problem((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found in the work tree (a checkout of a commit without it? check out a branch that has it; a new project: `axum init` writes one)' : (err as Error).message);
  }
  try {
    return parseConfigText(text, basename(file));
  } catch (err) {
    return problem(`could not be read: ${(err as Error).message}`);
  }
}
