// The terminal UI's and the demo's modules, imported by path. In the CLI bundle this file is a
// chunk of its own, compiled by node as it is: the ES-module half can only be reached by
// import(), and an import() works only in code node compiled itself, not in a chunk compiled
// through the code cache (compile-cache.ts leaves any chunk with an import() to node).
import type * as TuiModule from './tui.js';
import type * as DemoModule from './demo.js';

/** `commands/tui.ts` (Ink and React load with it). */
export const importTui = (): Promise<typeof TuiModule> => import('./tui.js');

/** `commands/demo.ts`. */
export const importDemo = (): Promise<typeof DemoModule> => import('./demo.js');
