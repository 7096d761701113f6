import type { RunRecord } from './history.js';

// Bounds on text from outside that a run records (docs/pipeline.md states them): a commit whose
// subject is one line of megabytes made every snapshot, `runs` answer and history save that big.

/** A commit subject as recorded: its first line, at most this many characters (then `…`). */
export const SUBJECT_MAX = 200;
/** How much of a subject's first line is read from git at all (masked, then cut to SUBJECT_MAX). */
export const SUBJECT_READ_MAX = 4096;
/** A run's message. */
export const MESSAGE_MAX = 2000;
/** Each of a run's warnings, and how many it keeps (the last one says how many more there were). */
export const WARNING_MAX = 500;
export const WARNINGS_MAX = 20;

/** `text` cut to `max` characters with `…` in place of the rest (never half of a surrogate pair). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** The first line of `text`, trimmed and cut to `max`. */
export function firstLine(text: string, max: number): string {
  const end = text.search(/[\r\n]/);
  return clip((end < 0 ? text : text.slice(0, end)).trim(), max);
}

/** A run's outside text within the bounds, in place. Cut after masking: a cut must not leave a part of a secret the masker no longer sees whole. */
export function boundRunRecord(run: RunRecord): void {
  if (run.subject.length > SUBJECT_MAX || /[\r\n]/.test(run.subject)) run.subject = firstLine(run.subject, SUBJECT_MAX);
  if (run.message !== null && run.message.length > MESSAGE_MAX) run.message = clip(run.message, MESSAGE_MAX);
  if (run.warnings.length > WARNINGS_MAX) run.warnings = [...run.warnings.slice(0, WARNINGS_MAX - 1), `… and ${run.warnings.length - WARNINGS_MAX + 1} more warnings`];
  if (run.warnings.some((w) => w.length > WARNING_MAX)) run.warnings = run.warnings.map((w) => clip(w, WARNING_MAX));
  if (run.lead !== undefined && run.lead.length > MESSAGE_MAX) run.lead = clip(run.lead, MESSAGE_MAX);
}
