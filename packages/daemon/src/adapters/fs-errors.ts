import { closeSync, writeSync } from 'node:fs';

// Writing on a disk that fails (full, read-only, broken): what the writers share. The words for
// such an error are the domain's (domain/disk-errors.ts).

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

