/** Milliseconds per unit of a duration written in `axum.yml` (`90s`, `5m`, `1h`, `500ms`). */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** The syntax of a duration; kept here so the schema and its error message agree. */
export const DURATION_PATTERN = /^(\d+)(ms|s|m|h)$/;

/** A span as a person says it, in its largest fitting unit: `40s`, `12m`, `5h`, `3d`. */
export function ageText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s`;
  if (s < 90 * 60) return `${Math.round(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

/** `12m ago`: how long before `nowMs` a recorded time (ISO) was; the ISO text itself if it is none. */
export function agoText(iso: string, nowMs: number): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : `${ageText(nowMs - at)} ago`;
}

/** `2026-12-04 03:36`: a recorded time (ISO, UTC) in words a person reads, to the minute. */
export function minuteText(iso: string): string {
  return iso.replace('T', ' ').slice(0, 16);
}

/** Parses `90s` → 90000; returns null for anything else. */
export function parseDuration(text: string): number | null {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return null;
  const [, amount, unit] = match;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}
