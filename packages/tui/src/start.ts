// The CLI bundle's entry (axum.cjs, run by bin/axum): the code cache first, then the CLI.
// Kept this small because it is the one chunk compiled without the cache.
import { dirname } from 'node:path';
import { enableCompileCache } from './compile-cache.js';

// The chunks beside this one (`__dirname` of the CommonJS bundle).
enableCompileCache(dirname(__filename));
void import('./cli.js');
