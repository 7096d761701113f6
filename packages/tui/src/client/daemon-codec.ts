// The reading half of the client's protocol: zod and the messages' schemas (the bundle's largest
// shared code). daemon-connection.ts loads this module only once its first frames are on the wire,
// so the daemon reads the hello (and a command's first requests) while the client compiles it.
import { config as zodConfig } from 'zod/mini';

// A client decodes few messages per schema: zod's compiled fast path (a `new Function` per object
// schema, built on its first parse) costs a command more than it saves (the snapshot of a small
// repository: 15–70 ms with it, 3–30 ms without, at load). Checked all the same.
zodConfig({ jitless: true });

export { decodeDaemonMessage, decodeResult } from '@axum/protocol';
