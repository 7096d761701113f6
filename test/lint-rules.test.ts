// The dependency rule of ARCHITECTURE.md is enforced by lint; prove the rule bites.
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/axum.js';

const eslint = new ESLint({ cwd: ROOT });
const lint = async (file: string, code: string) => {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).map((m) => m.ruleId);
};

describe('dependency rules', () => {
  it('keeps the domain free of I/O, adapters and the engine', async () => {
    expect(await lint('packages/daemon/src/domain/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toContain('no-restricted-imports');
    expect(await lint('packages/daemon/src/domain/x.ts', "import { watch } from 'chokidar';\nexport const x = watch;\n")).toContain('no-restricted-imports');
    expect(await lint('packages/daemon/src/domain/x.ts', "import { loadConfigFile } from '../adapters/yaml-config.js';\nexport const x = loadConfigFile;\n")).toContain('no-restricted-imports');
    expect(await lint('packages/daemon/src/domain/x.ts', 'export const now = () => Date.now();\n')).toContain('no-restricted-globals');
    expect(await lint('packages/daemon/src/domain/x.ts', "import { z } from 'zod';\nexport const s = z.string();\n")).toEqual([]);
  });

  it('keeps the engine off adapters', async () => {
    expect(await lint('packages/daemon/src/engine/x.ts', "import { startWsTransport } from '../adapters/ws-transport.js';\nexport const x = startWsTransport;\n")).toContain('no-restricted-imports');
  });

  it('keeps the TUI off daemon internals', async () => {
    expect(await lint('packages/tui/src/x.ts', "import { createDaemonEngine } from '../../daemon/src/engine/daemon-engine.js';\nexport const x = createDaemonEngine;\n")).toContain('no-restricted-imports');
    expect(await lint('packages/tui/src/x.ts', "import x from '@axum/daemon/main';\nexport const y = x;\n")).toContain('no-restricted-imports');
  });
});
