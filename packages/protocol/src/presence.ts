import { z } from 'zod/mini';

/** One attached client, as every client sees it (Tilt shows who is looking; so does the TUI's header). */
export const AttachedClient = z.object({
  id: z.string(),
  /** The client's name: `axum-tui`, `axum-status`, `axum-rollback`… */
  name: z.string(),
  /** The login of the user running it (the socket is the user's own: this is for people, not for trust). */
  user: z.nullable(z.string()),
  pid: z.nullable(z.int()),
  /** Its terminal (`pts/3`), when it has one. */
  terminal: z.nullable(z.string()),
  since: z.string(),
});
export type AttachedClient = z.infer<typeof AttachedClient>;

/** One thing a client did to the shared state: lazygit's command log, for every terminal at once. */
export const ActivityEntry = z.object({
  at: z.string(),
  /** `alice (axum-tui on pts/3)` */
  who: z.string(),
  /** `rolled back production to #3 (now #5)` */
  what: z.string(),
  /** The client that did it, so a terminal can tell its own acts from the others'. */
  clientId: z.string(),
});
export type ActivityEntry = z.infer<typeof ActivityEntry>;

/** How many activity entries the shared state keeps (a new client sees these). */
export const ACTIVITY_KEPT = 30;
