// Branch names as git accepts them (`git check-ref-format --branch`), for axum.yml and for the
// protocol alike: a name that can never be a branch is refused where it comes in.
import { z } from 'zod/mini';

/**
 * Why `name` is not a branch name git accepts (`git check-ref-format --branch`), or null. A branch
 * that can never exist would feed its environment nothing, silently.
 */
export function branchNameProblem(name: string): string | null {
  if (name === '@' || name.startsWith('-')) return 'git does not allow this as a branch name';
  const control = [...name].some((ch) => ch.charCodeAt(0) <= 0x20 || ch.charCodeAt(0) === 0x7f);
  if (control || /[~^:?*[\\]/.test(name)) return 'a branch name cannot hold spaces, control characters or any of ~ ^ : ? * [ \\';
  if (name.includes('..') || name.includes('@{') || name.includes('//')) return 'a branch name cannot hold "..", "@{" or "//"';
  if (name.endsWith('/') || name.endsWith('.') || name.endsWith('.lock')) return 'a branch name cannot end with "/", "." or ".lock"';
  if (name.split('/').some((part) => part.startsWith('.') || part === '')) return 'no part of a branch name may be empty or start with "."';
  return null;
}

/**
 * A branch name on the wire: one git could have (so none that climbs with `..`, reads as an option
 * with `-`, or holds a control character), 1 to 255 characters.
 */
export const BranchName = z.string().check(
  z.minLength(1),
  z.maxLength(255),
  z.refine((name) => branchNameProblem(name) === null, 'not a branch name git allows'),
);
