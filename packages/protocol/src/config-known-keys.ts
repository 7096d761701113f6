import type { z } from 'zod/mini';

// The keys the schema allows at a place in `axum.yml`, for "did you mean" on an unknown key. Zod's
// `unrecognized_keys` issue names the stray key only, so the allowed ones are read off the schema.

type Schema = z.core.$ZodType;
type Def = { type: string; shape?: Record<string, Schema>; element?: Schema; valueType?: Schema; innerType?: Schema; in?: Schema; options?: Schema[]; left?: Schema; right?: Schema; getter?: () => Schema };

const defOf = (schema: Schema): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** What a schema that wraps others (optional, default, pipe, lazy, union…) may be underneath; null for any other. */
function wrapped(def: Def): Schema[] | null {
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return def.innerType ? [def.innerType] : [];
    case 'pipe':
      return def.in ? [def.in] : [];
    case 'lazy':
      return def.getter ? [def.getter()] : [];
    case 'union':
      return def.options ?? [];
    case 'intersection':
      return [def.left, def.right].filter((side): side is Schema => side !== undefined);
    default:
      return null;
  }
}

/** The object schemas `schema` may be once its wrappers (optional, default, pipe, union…) are seen through. */
function objectsOf(schema: Schema, depth = 0): Schema[] {
  if (depth > 20) return [];
  const def = defOf(schema);
  if (def.type === 'object') return [schema];
  return (wrapped(def) ?? []).flatMap((inner) => objectsOf(inner, depth + 1));
}

/** What one step of `path` leads to from `schema` (a key of an object or record, an index of an array). */
function childrenOf(schema: Schema, step: string | number, depth = 0): Schema[] {
  if (depth > 20) return [];
  const def = defOf(schema);
  if (def.type === 'object') {
    const child = typeof step === 'string' && def.shape && Object.hasOwn(def.shape, step) ? def.shape[step] : undefined;
    return child ? [child] : [];
  }
  if (def.type === 'record') return def.valueType ? [def.valueType] : [];
  if (def.type === 'array') return typeof step === 'number' && def.element ? [def.element] : [];
  return (wrapped(def) ?? []).flatMap((inner) => childrenOf(inner, step, depth + 1));
}

/** Every key an object at `path` may have, per `schema` (empty when the path leads nowhere known). */
export function knownKeysAt(schema: Schema, path: readonly (string | number)[]): string[] {
  let here: Schema[] = [schema];
  for (const step of path) here = here.flatMap((s) => childrenOf(s, step));
  const keys = new Set<string>();
  for (const object of here.flatMap((s) => objectsOf(s))) for (const key of Object.keys(defOf(object).shape ?? {})) keys.add(key);
  return [...keys];
}
