// What differs between two axum.yml files, named as the user wrote them (`stage "train", step
// "fit", run`), for the dialog before a rollback or a promotion and for `axum diff`.
import { pathWords } from '@axum/protocol';

type Segment = string | number;
/** A leaf's value (as JSON) and where it is: `path` in its own config, `keys` matched across both. */
interface Leaf {
  leaf: string;
  path: Segment[];
  keys: string[];
}

/**
 * Every leaf of a parsed YAML/JSON value. A mapping in a list with a name no sibling shares is
 * matched by that name, not its position: a step removed from the middle of a list is that step
 * removed, not each later step changed into the next one.
 */
function leaves(value: unknown, path: Segment[] = [], keys: string[] = [], out = new Map<string, Leaf>()) {
  if (value !== null && typeof value === 'object') {
    const names = Array.isArray(value) ? value.map(nameOf) : [];
    for (const [key, child] of Object.entries(value)) {
      const index = Number(key);
      const name = Array.isArray(value) ? names[index] : undefined;
      const matched = name !== undefined && names.indexOf(name) === names.lastIndexOf(name) ? `[${JSON.stringify(name)}]` : key;
      leaves(child, [...path, Array.isArray(value) ? index : key], [...keys, matched], out);
    }
  } else out.set(keys.join('.'), { leaf: JSON.stringify(value), path, keys });
  return out;
}

const nameOf = (item: unknown): string | undefined => {
  const name = item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
};

/** The ancestors of a leaf, shallowest first: their match keys and their path in the leaf's config. */
const ancestors = (leaf: Leaf) => leaf.keys.slice(0, -1).map((_, i) => ({ key: leaf.keys.slice(0, i + 1).join('.'), path: leaf.path.slice(0, i + 1) }));

/** Whether the node at `path` is a mapping the user names as a whole: a stage, a step, a check, an environment. */
function isItem(config: unknown, path: readonly Segment[]): boolean {
  let node = config;
  for (const segment of path) node = node !== null && typeof node === 'object' ? (node as Record<Segment, unknown>)[segment] : undefined;
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return false;
  return typeof path.at(-1) === 'number' || path.at(-2) === 'environments';
}

/**
 * Each key that differs between two configs, and how going from `from` to `to`: added, removed or
 * changed. A key is named as the user wrote it (`stage "train", step "fit", run`), read in the
 * config that has it (`to` first); a stage, step, check or environment only one config has is one
 * key (`verify step "smoke" removed`), not one per field; leaves that name alike (items of one list
 * of plain values) are one key, `changed` unless all of them were added or all removed.
 */
export function configChanges(from: unknown, to: unknown): { key: string; change: 'added' | 'removed' | 'changed' }[] {
  const a = leaves(from);
  const b = leaves(to);
  const present = (side: Map<string, Leaf>) => new Set([...side.values()].flatMap((leaf) => ancestors(leaf).map((node) => node.key)));
  const [inA, inB] = [present(a), present(b)];
  const named = new Map<string, 'added' | 'removed' | 'changed'>();
  for (const dotted of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(dotted);
    const y = b.get(dotted);
    if (x?.leaf === y?.leaf) continue;
    const change = !x ? 'added' : !y ? 'removed' : 'changed';
    const [config, leaf, other] = y ? [to, y, x ? null : inA] : [from, x!, inB];
    // The shallowest whole item the other config lacks names the change: its fields are not listed.
    const item = other ? ancestors(leaf).find((node) => !other.has(node.key) && isItem(config, node.path)) : undefined;
    const key = pathWords(config, item?.path ?? leaf.path);
    const before = named.get(key);
    named.set(key, before === undefined || before === change ? change : 'changed');
  }
  return [...named].map(([key, change]) => ({ key, change }));
}

/** The keys whose values differ between two configs (added and removed keys included). */
export function changedConfigKeys(from: unknown, to: unknown): string[] {
  return configChanges(from, to).map((c) => c.key);
}
