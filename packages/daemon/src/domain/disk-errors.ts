// The words for an error of the disk or the folder (a full disk, a read-only filesystem, a denied
// write), said alike by a request that could not be recorded, an operation that could not
// materialize its release and the writers of logs and backups: such an error fails one
// operation, never the daemon, and the person reads what happened and what to do about it.

/** An error as Node gives it: `code` (`ENOSPC`) and a message that repeats it (`ENOSPC: no space left on device, write`). */
interface CodedError {
  code?: string;
  message?: string;
}

const makeRoom = 'make room on the disk that holds .axum and ask again';
const writable = 'the daemon must be able to write under .axum';

/** The disk's words for each error a save may meet, and what a person does about it. */
const DISK_WORDS: Readonly<Record<string, { words: string; fix: string }>> = {
  ENOSPC: { words: 'the disk is full', fix: makeRoom },
  EDQUOT: { words: 'the disk quota is used up', fix: makeRoom },
  EROFS: { words: 'the filesystem is read-only', fix: '.axum must be writable for the daemon to record anything' },
  EACCES: { words: 'permission denied', fix: writable },
  EPERM: { words: 'permission denied', fix: writable },
  EIO: { words: 'the disk failed to write', fix: 'check the disk that holds .axum' },
};

/** Errors of the disk or the folder, not of Axum: they fail one operation, never the daemon. */
export const FILE_SYSTEM_ERRORS: ReadonlySet<string> = new Set([...Object.keys(DISK_WORDS), 'EMFILE', 'ENFILE', 'EFBIG']);

const codeOf = (err: unknown): string | undefined => {
  const code = (err as CodedError | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** True for an error of the disk or the folder (ENOSPC, EROFS, EPERM…). */
export function isFileSystemError(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && FILE_SYSTEM_ERRORS.has(code);
}

/**
 * `ENOSPC: no space left on device` — the code first, for people and for tests that grep it. Node
 * ends its message with the call that failed (`, write`), which is not a person's business; a path
 * after it (`, open '/srv/…'`) names the file the disk refused, and stays. An error without a code
 * is said by its message.
 */
export function describeFsError(err: unknown): string {
  const code = codeOf(err);
  const message = String((err as CodedError | null)?.message ?? err);
  if (code === undefined) return message;
  const detail = message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
  return `${code}: ${detail.replace(/, \w+$/, '')}`;
}

/**
 * `the disk is full (ENOSPC: no space left on device)` and its fix; a write the state folder refused
 * (a link planted in `.axum`, a file moved under the daemon) in its own words; null for an error
 * that is neither.
 */
export function diskProblem(err: unknown): { text: string; fix: string } | null {
  const refused = stateFolderProblem(err);
  if (refused) return refused;
  const code = codeOf(err);
  if (code === undefined || !Object.hasOwn(DISK_WORDS, code)) return null;
  const { words, fix } = DISK_WORDS[code]!;
  return { text: `${words} (${describeFsError(err)})`, fix };
}

/** The protocol's state-folder refusals carry their fix apart (`fix`), the message ending with it. */
function stateFolderProblem(err: unknown): { text: string; fix: string } | null {
  const { message, fix } = (err ?? {}) as { message?: unknown; fix?: unknown };
  if (typeof fix !== 'string' || typeof message !== 'string' || !message.endsWith(`; ${fix}`)) return null;
  return { text: message.slice(0, -fix.length - 2), fix };
}
