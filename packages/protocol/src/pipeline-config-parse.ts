import { isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod/mini';
import { knownKeysAt } from './config-known-keys.js';
import type { ConfigLoad } from './config-load.js';
import { nearestWord } from './nearest-word.js';
import { pathWords } from './config-path-words.js';
import { PipelineConfigSchema } from './pipeline-config.js';
import type { ConfigProblem } from './state.js';

/** Parses the text of a pipeline file; `fileLabel` prefixes every problem (`axum.yml:3:5: …`). */
export function parseConfigText(text: string, fileLabel: string): ConfigLoad {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, message: string): ConfigProblem => {
    const pos = lineCounter.linePos(offset);
    return { file: fileLabel, line: pos.line, col: pos.col, message };
  };
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => at(e.pos[0], e.code === 'DUPLICATE_KEY' ? duplicateKeyText(text, e.pos[0]) : (e.message.split('\n')[0] ?? e.message))) };
  }
  // An alias inside the node it names (`dev: &d { x: *d }`) makes the data contain itself: every
  // walk over it (ours, the schema's) would never end. Refused, pointing at the alias.
  const cyclic = cyclicAliasOffset(doc);
  if (cyclic !== null) return { ok: false, errors: [at(cyclic, 'an alias refers to a node that contains it (the data would contain itself): copy the values instead')] };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (err) {
    // yaml refuses to expand an alias bomb (billion laughs): say where, as for any other problem.
    return { ok: false, errors: [at(firstAliasOffset(doc), `too many alias expansions (over ${MAX_ALIAS_COUNT}): ${(err as Error).message}`)] };
  }
  // YAML makes `__proto__:` an own key; the schema's records would drop it silently. Say so instead.
  const proto = protoKeyPath(data);
  if (proto) return { ok: false, errors: [at(offsetOf(doc, { path: proto } as unknown as z.core.$ZodIssue), `${pathWords(data, proto)}: "__proto__" is not allowed as a name`)] };
  const parsed = PipelineConfigSchema.safeParse(data);
  if (parsed.success) return { ok: true, config: parsed.data };
  const errors = parsed.error.issues.map((issue) => at(offsetOf(doc, issue), messageOf(doc, data, issue)));
  errors.sort((a, b) => a.line - b.line || a.col - b.col);
  return { ok: false, errors };
}

/** yaml's "Map keys must be unique" names no key: the key written at `offset` (its second use), named. */
function duplicateKeyText(text: string, offset: number): string {
  const key = (/^[^:\n]*/.exec(text.slice(offset))?.[0] ?? '').trim().replace(/^(["'])(.*)\1$/, '$2');
  return `${key ? `"${key}"` : 'a key'} is written twice in the same map (this is the second): keep one, or merge them`;
}

/** Aliases an `axum.yml` may expand: plenty for shared step definitions, far too few for a billion laughs. */
const MAX_ALIAS_COUNT = 100;

/** The path of the first own `__proto__` key in parsed YAML data, or null. */
function protoKeyPath(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (value === null || typeof value !== 'object') return null;
  if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return [...path, '__proto__'];
  for (const [key, child] of Object.entries(value)) {
    const found = protoKeyPath(child, [...path, Array.isArray(value) ? Number(key) : key]);
    if (found) return found;
  }
  return null;
}

/** Where the first alias is (`*name`): the problem points there. */
function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_key, node) {
      if (isAlias(node) && node.range) offset = node.range[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/**
 * Where the first alias inside the node it names is, or null: the only way YAML data can contain
 * itself (an alias names an anchor written before it, so a cycle passes through such an alias).
 */
function cyclicAliasOffset(doc: Document): number | null {
  let offset: number | null = null;
  visit(doc, {
    Alias(_key, node) {
      const named = node.resolve(doc);
      if (!node.range || !named?.range || node.range[0] < named.range[0] || node.range[1] > named.range[1]) return undefined;
      offset = node.range[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/** Finds where in the file an issue belongs: the offending key or value, else its nearest parent. */
function offsetOf(doc: Document, issue: z.core.$ZodIssue): number {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) {
    const parent = path.length > 0 ? doc.getIn(path, true) : doc.contents;
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === issue.keys[0]);
      if (pair && isNode(pair.key) && pair.key.range) return pair.key.range[0];
    }
  }
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth > 0 ? doc.getIn(path.slice(0, depth), true) : doc.contents;
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}

/** The problem in words, led by where it is as the user wrote it (`stage "train", step "fit", run: …`). */
function messageOf(doc: Document, data: unknown, issue: z.core.$ZodIssue): string {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const named = pathWords(data, path);
  const where = named.length > 0 ? `${named}: ` : '';
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(PipelineConfigSchema, path);
    const named = issue.keys.map((k) => {
      const meant = nearestWord(k, known);
      return meant ? `"${k}" (did you mean "${meant}"?)` : `"${k}"`;
    });
    return `${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${named.join(', ')}`;
  }
  if (path.length > 0 && issue.code !== 'custom' && !doc.hasIn(path)) return `${where}required`;
  if (issue.code === 'invalid_type') return `${where}${wrongTypeText(issue.expected, doc.getIn(path))}`;
  return `${where}${plainText(issue, doc.getIn(path))}`;
}

/** What YAML read, in words: `the text "1"`, `true (a boolean)`, `a list`. */
const gotText = (value: unknown): string =>
  isMap(value) ? 'a mapping' : isSeq(value) ? 'a list' : value === null || value === undefined ? 'nothing' : typeof value === 'string' ? `the text "${value}"` : `${String(value)} (a ${typeof value})`;

/**
 * The schema's own words for a bound or a choice (`Too small: expected number to be >=0`), said as
 * a person would; a message the schema wrote itself is kept as it is.
 */
function plainText(issue: z.core.$ZodIssue, value: unknown): string {
  const got = typeof value === 'string' || typeof value === 'number' ? ` (got ${JSON.stringify(value)})` : '';
  if ((issue.code === 'too_small' || issue.code === 'too_big') && /^Too (small|big):/.test(issue.message)) {
    const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
    const word = issue.code === 'too_small' ? (issue.inclusive === false ? 'more than' : 'at least') : issue.inclusive === false ? 'less than' : 'at most';
    if (issue.origin === 'array') return `needs ${word} ${bound} item${bound === 1 ? '' : 's'}`;
    if (issue.origin === 'string') return bound === 1 && issue.code === 'too_small' ? 'must not be empty' : `must be ${word} ${bound} characters long`;
    return `must be ${word} ${bound}${got}`;
  }
  // `version: "1"`: a value of another kind than every allowed one is a type error, said as one.
  if (issue.code === 'invalid_value' && value !== undefined && issue.values.length > 0 && issue.values.every((v) => typeof v !== typeof value)) {
    return `expected ${issue.values.map((v) => (typeof v === 'number' ? `the number ${v}` : JSON.stringify(v))).join(' or ')}, got ${gotText(value)}`;
  }
  if (issue.code === 'invalid_value' && /^Invalid (option|input)/.test(issue.message)) return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}${got}`;
  return issue.message;
}

/** The words for a value of the wrong kind: what was expected and what YAML read, not the schema's `Invalid input`. */
const KINDS: Record<string, string> = { string: 'text', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a mapping' };
function wrongTypeText(expected: string, value: unknown): string {
  const got = gotText(value);
  // YAML reads `run: true` or `branch: 7` as a boolean or a number: quoting keeps it text.
  const quote = expected === 'string' && (typeof value === 'boolean' || typeof value === 'number') ? `; quote it if it is text: "${String(value)}"` : '';
  return `expected ${Object.hasOwn(KINDS, expected) ? KINDS[expected] : expected}, got ${got}${quote}`;
}

/** Renders a problem the way every command prints it: `axum.yml:LINE:COL: message`. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.col}: ${problem.message}`;
}

/** Parses YAML to plain data (for comparing two configs; validation is `parseConfigText`). */
export function parseYaml(text: string): unknown {
  return parseDocument(text).toJS({ maxAliasCount: MAX_ALIAS_COUNT });
}
