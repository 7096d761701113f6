import { describe, expect, it } from 'vitest';
import { FILE_SYSTEM_ERRORS, describeFsError, diskProblem, isFileSystemError } from './disk-errors.js';

/** An error shaped as Node throws it: the code, and a message that begins with it. */
const errno = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}`), { code });

describe('disk errors', () => {
  it.each([
    ['ENOSPC', 'no space left on device', 'the disk is full', 'make room on the disk that holds .axum and ask again'],
    ['EDQUOT', 'disk quota exceeded', 'the disk quota is used up', 'make room on the disk that holds .axum and ask again'],
    ['EROFS', 'read-only file system', 'the filesystem is read-only', '.axum must be writable for the daemon to record anything'],
    ['EACCES', 'permission denied', 'permission denied', 'the daemon must be able to write under .axum'],
    ['EPERM', 'operation not permitted', 'permission denied', 'the daemon must be able to write under .axum'],
    ['EIO', 'i/o error', 'the disk failed to write', 'check the disk that holds .axum'],
  ])('%s is the disk’s: its words, the code and what to do', (code, message, words, fix) => {
    expect(diskProblem(errno(code, `${message}, write`))).toEqual({ text: `${words} (${code}: ${message})`, fix });
    expect(isFileSystemError(errno(code, message))).toBe(true);
  });

  it('an error that is not the disk’s has no disk words: a bug, or another kind of failure', () => {
    expect(diskProblem(errno('ENOENT', 'no such file or directory'))).toBeNull();
    expect(diskProblem(new Error('ENOSPC: no space left on device'))).toBeNull(); // no code: not Node's
    expect(diskProblem(null)).toBeNull();
    expect(diskProblem('ENOSPC')).toBeNull();
  });

  it('a write the state folder refused (a link planted in .axum) is said in its own words, each part once', () => {
    const refused = Object.assign(new Error('/r/.axum/history is a symbolic link to /x: Axum never follows a link; remove the link (rm /r/.axum/history) and run the command again'), { code: 'ELOOP', fix: 'remove the link (rm /r/.axum/history) and run the command again' });
    expect(diskProblem(refused)).toEqual({ text: '/r/.axum/history is a symbolic link to /x: Axum never follows a link', fix: 'remove the link (rm /r/.axum/history) and run the command again' });
    expect(diskProblem(Object.assign(new Error('something else'), { code: 'ELOOP', fix: 'remove it' }))).toBeNull(); // a fix its message does not end with
  });

  it('too many open files and a file too large fail one operation, though they have no disk words', () => {
    for (const code of ['EMFILE', 'ENFILE', 'EFBIG']) {
      expect(FILE_SYSTEM_ERRORS.has(code)).toBe(true);
      expect(isFileSystemError(errno(code, 'x'))).toBe(true);
      expect(diskProblem(errno(code, 'x'))).toBeNull();
    }
    expect(isFileSystemError(errno('ENOENT', 'x'))).toBe(false);
    expect(isFileSystemError(new Error('plain'))).toBe(false);
  });

  it('Node’s message loses the call that failed, and keeps the path it names', () => {
    expect(describeFsError(errno('ENOSPC', 'no space left on device, write'))).toBe('ENOSPC: no space left on device');
    expect(describeFsError(errno('EIO', 'i/o error, close'))).toBe('EIO: i/o error');
    expect(describeFsError(errno('EIO', 'i/o error, fsync'))).toBe('EIO: i/o error');
    expect(describeFsError(errno('ENOENT', "no such file or directory, open '/srv/backups/manifest.json'"))).toBe("ENOENT: no such file or directory, open '/srv/backups/manifest.json'");
    expect(diskProblem(errno('EROFS', "read-only file system, open '/srv/.axum/environments/prod.json.tmp'"))?.text).toBe("the filesystem is read-only (EROFS: read-only file system, open '/srv/.axum/environments/prod.json.tmp')");
  });

  it('an error without a code is said by its message; one whose message lacks the code gets it in front', () => {
    expect(describeFsError(new Error('the pipe broke'))).toBe('the pipe broke');
    expect(describeFsError('plain words')).toBe('plain words');
    expect(describeFsError(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }))).toBe('ENOSPC: no space left on device');
  });
});
