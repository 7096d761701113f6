// Where in axum.yml a problem is, named as the user wrote it: `stage "train", step "fit", timeout`,
// `environment "production", branch`, `verify check "latency"` — never the schema's `stages.0.steps.0`.

/** The noun for one item of a list of mappings, by the list's key. */
const ITEM: Record<string, string> = { stages: 'stage', steps: 'step', checks: 'check' };
/** The noun for one entry of a mapping whose keys the user names, by the mapping's key. */
const ENTRY: Record<string, string> = { environments: 'environment', gates: 'gate', env: 'variable' };

/**
 * `stages.0.steps.1.run` read against the parsed file: `stage "train", step "fit", run`. A mapping
 * in a list is named by its `name:` (else its position, from 1); an item of a list of plain values
 * is left to the message, which quotes the value; plain keys stay as written (`watch paths`).
 */
export function pathWords(data: unknown, path: readonly PropertyKey[]): string {
  const tokens: { text: string; item: boolean; key?: string }[] = [];
  let node: unknown = data;
  for (const segment of path) {
    // The key just before, when it was said as a plain key (a list's or a mapping's own key).
    const last = tokens.at(-1);
    const listKey = last && !last.item ? last.key : undefined;
    const child = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[segment] : undefined;
    node = child;
    if (typeof segment === 'number') {
      // Not a mapping (text, a number): the message quotes the value; the list's key says where.
      if (child === null || typeof child !== 'object' || Array.isArray(child)) continue;
      const name = (child as { name?: unknown }).name;
      const noun = listKey !== undefined && Object.hasOwn(ITEM, listKey) ? ITEM[listKey]! : 'item';
      if (listKey !== undefined) tokens.pop();
      tokens.push({ text: `${noun} ${typeof name === 'string' && name.length > 0 ? JSON.stringify(name) : segment + 1}`, item: true });
    } else if (listKey !== undefined && Object.hasOwn(ENTRY, listKey)) {
      tokens.pop();
      tokens.push({ text: `${ENTRY[listKey]!} ${JSON.stringify(String(segment))}`, item: true });
    } else tokens.push({ text: String(segment), item: false, key: String(segment) });
  }
  // A plain key joins what it belongs to with a space (`verify check "x"`, `watch paths`); after a named item, a comma.
  return tokens.reduce((text, token, i) => (i === 0 ? token.text : `${text}${tokens[i - 1]!.item ? ', ' : ' '}${token.text}`), '');
}
