// The modes of what Axum writes under `.axum/` and into a backup target: owner-only, as the files a
// step saves private (a model written under `umask 077`) must not come out readable by other users
// of the machine. The user's own model server reads a served release as that same user.

/** A stored blob, a release's file, a backup object: read-only too, as content-addressed copies never change. */
export const STORED_FILE_MODE = 0o400;
/** History, logs, manifests, snapshots: rewritten whole (temp + rename), so writable by the owner. */
export const PRIVATE_FILE_MODE = 0o600;
/** Every folder Axum makes there. */
export const PRIVATE_DIR_MODE = 0o700;
