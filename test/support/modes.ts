import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every folder and file under `root` (itself included) whose mode lets a group or other user in, with its mode. */
export function readableByOthers(root: string): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    const info = lstatSync(path);
    if (info.isSymbolicLink() || info.isSocket()) return; // a link's own mode means nothing; the socket lives elsewhere
    if ((info.mode & 0o077) !== 0) found.push(`${path.slice(root.length) || '/'} ${(info.mode & 0o777).toString(8)}`);
    if (info.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return found;
}
