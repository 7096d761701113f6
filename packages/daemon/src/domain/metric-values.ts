// Which value of a metric counts: the one a verify step wrote, else the one the release's build
// wrote. Gates judge it so, and whatever sets a value beside a gate's (the last known good's, the
// dashboard's, a diff before a rollback) must read it the same way, or they disagree.

/** A metric's value: the verify steps', else the build's (`from: 'build'`); null when neither wrote it. */
export function metricValue(metric: string, verify: Readonly<Record<string, number>>, build: Readonly<Record<string, number>>): { value: number; from?: 'build' } | null {
  if (Object.hasOwn(verify, metric) && verify[metric] !== undefined) return { value: verify[metric] };
  if (Object.hasOwn(build, metric) && build[metric] !== undefined) return { value: build[metric], from: 'build' };
  return null;
}

/** Every metric either wrote, each with the value `metricValue` gives it. */
export function metricValues(verify: Readonly<Record<string, number>>, build: Readonly<Record<string, number>>): Record<string, number> {
  const values: Record<string, number> = {};
  for (const metric of new Set([...Object.keys(build), ...Object.keys(verify)])) {
    const found = metricValue(metric, verify, build);
    if (found) values[metric] = found.value;
  }
  return values;
}
