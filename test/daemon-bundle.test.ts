import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// What an idle daemon has loaded stays resident for its life. Its schemas (the messages, `axum.yml`,
// its own records) are written with `zod/mini`: classic zod, whose every schema carries its methods,
// left ~1.5 MiB more resident with the same schemas. One `import { z } from 'zod'` in anything the
// daemon bundles would bring it back without a word, so the built bundle is read: zod makes every
// schema class with `$constructor(name, …)`, and the name survives minifying — classic's are
// `ZodString`, `ZodObject`…, mini's `ZodMiniString`, `ZodMiniObject`… (and core's `$ZodString`…).
const BUNDLE = join(import.meta.dirname, '..', 'packages', 'daemon', 'dist', 'axum-daemon.mjs');

describe("the daemon's bundle", () => {
  it('holds zod/mini and none of classic zod', () => {
    const classes = [...readFileSync(BUNDLE, 'utf8').matchAll(/\$constructor\(\s*["'`](Zod\w*)["'`]/g)].map((m) => m[1]);
    // The probe works: the bundle's zod/mini classes are found.
    expect(classes).toContain('ZodMiniObject');
    expect(classes.filter((name) => !name?.startsWith('ZodMini'))).toEqual([]);
  });
});
