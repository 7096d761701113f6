// The last valid config, kept durably under `.axum/state/` each time a valid `axum.yml` loads: the
// daemon starts on it when the working tree's file is invalid or missing (ARCHITECTURE.md, glossary:
// Records). Written like the history files (temp file, fsync, rename, fsync of the folder).
import { z } from 'zod/mini';
import { PipelineConfigSnapshot } from '@axum/protocol';
import { createLowdbDocumentStore } from './lowdb-document-store.js';

const LastConfigDocument = z.object({ version: z.literal(1), loadedAt: z.nullable(z.string()), config: z.nullable(PipelineConfigSnapshot) });
type LastConfigDocument = z.infer<typeof LastConfigDocument>;

/** The last valid config and when it was loaded, or null when none was ever recorded (or it does not read). */
export interface LastConfigStore {
  load(): Promise<{ config: z.infer<typeof PipelineConfigSnapshot>; loadedAt: string } | null>;
  save(config: z.infer<typeof PipelineConfigSnapshot>, loadedAt: string): Promise<void>;
}

export function createFsLastConfigStore(file: string): LastConfigStore {
  const store = createLowdbDocumentStore<LastConfigDocument>(file, LastConfigDocument, () => ({ version: 1, loadedAt: null, config: null }));
  let last = '';
  return {
    async load() {
      const { doc } = await store.load();
      return doc.config && doc.loadedAt ? { config: doc.config, loadedAt: doc.loadedAt } : null;
    },
    async save(config, loadedAt) {
      const text = JSON.stringify(config);
      if (text === last) return; // the same config saved again (an editor's save without change)
      await store.save({ version: 1, loadedAt, config });
      last = text;
    },
  };
}
