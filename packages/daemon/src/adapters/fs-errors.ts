import { closeSync, writeSync } from 'node:fs';

// File-system errors in the daemon's writers (RELIABILITY.md, file-system errors): said with their
// code, and never thrown past the writer that met them.

/** Errors of the disk or the folder, not of Axum: they fail one operation, never the daemon. */
export const FILE_SYSTEM_ERRORS: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EPERM', 'EACCES', 'EIO', 'EMFILE', 'ENFILE', 'EFBIG']);

/** True for an error of the disk or the folder (ENOSPC, EROFS, EPERM…). */
export function isFileSystemError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code !== undefined && FILE_SYSTEM_ERRORS.has(code);
}

/** `ENOSPC: no space left on device` — the code first, for people and for tests that grep it. */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message.replace(new RegExp(`^${e.code}: `), '').replace(/, (write|open|close)$/, '')}` : String((err as Error)?.message ?? err);
}

/** writeSync may write part of a buffer on a filling disk and throw only on the next call: write it all or throw. */
export function writeAll(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // a descriptor whose last write failed may fail to close (EIO); it is released either way
  }
}

