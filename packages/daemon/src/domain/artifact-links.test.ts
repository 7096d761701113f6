import { describe, expect, it } from 'vitest';
import { linkProblem, linkedPath, relativeLink } from './artifact-links.js';

const sha = 'a'.repeat(64);

describe('artifact links', () => {
  it('resolves a target against the link\'s folder and refuses one that leaves the release', () => {
    expect(linkedPath('model/latest.bin', 'weights.bin')).toBe('model/weights.bin');
    expect(linkedPath('model/v2/latest.bin', '../weights.bin')).toBe('model/weights.bin');
    expect(linkedPath('latest.bin', './model/./weights.bin')).toBe('model/weights.bin');
    expect(linkedPath('model/latest.bin', '../../etc/passwd')).toBeNull();
    expect(linkedPath('model/latest.bin', '/etc/passwd')).toBeNull();
    expect(linkedPath('model/latest.bin', '..')).toBeNull();
    expect(linkedPath('model/latest.bin', '')).toBeNull();
  });

  it('writes a target relative to the link\'s folder', () => {
    expect(relativeLink('model/latest.bin', 'model/weights.bin')).toBe('weights.bin');
    expect(relativeLink('model/v2/latest.bin', 'model/weights.bin')).toBe('../weights.bin');
    expect(relativeLink('latest.bin', 'model/weights.bin')).toBe('model/weights.bin');
    expect(relativeLink('a/b/c', 'x/y')).toBe('../../x/y');
    for (const [path, to] of [['model/latest.bin', 'model/weights.bin'], ['a/b/c', 'x/y'], ['model/v2/l', 'model/w']] as const) expect(linkedPath(path, relativeLink(path, to))).toBe(to);
  });

  const file = () => ({ path: 'model/weights.bin', sha256: sha, size: 3 });

  it('a link must name a file of the release, never another link, nothing or the outside', () => {
    const file = { path: 'model/weights.bin', sha256: sha, size: 3 };
    expect(linkProblem([file, { path: 'model/latest.bin', sha256: sha, size: 11, link: 'weights.bin' }])).toBeNull();
    expect(linkProblem([file, { path: 'model/latest.bin', sha256: sha, size: 9, link: 'other.bin' }])).toContain('model/latest.bin: a symlink to other.bin');
    expect(linkProblem([file, { path: 'model/x', sha256: sha, size: 11, link: '../../../etc/passwd' }])).toContain('model/x');
    expect(linkProblem([file, { path: 'model/a', sha256: sha, size: 11, link: 'weights.bin' }, { path: 'model/b', sha256: sha, size: 1, link: 'a' }])).toContain('model/b');
  });

  it('a path that climbs out of the folder, or one named twice, is refused before anything is made', () => {
    // `a/b/../../l` → `l` in the folder by path.join, while its target text is read from `a/b`.
    const crafted = [{ path: 'a/etc/passwd', sha256: sha, size: 3 }, { path: 'a/b/../../l', sha256: sha, size: 19, link: '../../../etc/passwd' }];
    expect(linkProblem(crafted)).toContain('a path with an empty, . or .. part');
    for (const path of ['../x', '/etc/x', 'a//b', './a', 'a/.', '', 'a\\..\\b']) expect(linkProblem([{ path, sha256: sha, size: 1 }]), path).not.toBeNull();
    expect(linkProblem([file(), { path: 'model/weights.bin', sha256: sha, size: 11, link: 'weights.bin' }])).toContain('named twice');
  });
});
