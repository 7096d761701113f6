import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseConfigText, type ConfigLoad } from '@axum/protocol';

/** Reads and validates a pipeline file; a missing file is a problem at 1:1, never a throw. */
export async function loadConfigFile(file: string): Promise<ConfigLoad> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found (run `axum init` to write one)' : (err as Error).message;
    return { ok: false, errors: [{ file: basename(file), line: 1, col: 1, message: reason }] };
  }
  return parseConfigText(text, basename(file));
}
