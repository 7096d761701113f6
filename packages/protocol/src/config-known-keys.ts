import type { z } from 'zod';

// The keys the schema allows at a place in `axum.yml`, for "did you mean" on an unknown key. Zod's
// `unrecognized_keys` issue names the stray key only, so the allowed ones are read off the schema.

type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; valueType?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType; options?: z.ZodType[]; left?: z.ZodType; right?: z.ZodType; getter?: () => z.ZodType };

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The object schemas `schema` may be once its wrappers (optional, default, pipe, union…) are seen through. */
function objectsOf(schema: z.ZodType, depth = 0): z.ZodType[] {
  if (depth > 20) return [];
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return [schema];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return def.innerType ? objectsOf(def.innerType, depth + 1) : [];
    case 'pipe':
      return def.in ? objectsOf(def.in, depth + 1) : [];
    case 'lazy':
      return def.getter ? objectsOf(def.getter(), depth + 1) : [];
    case 'union':
      return (def.options ?? []).flatMap((option) => objectsOf(option, depth + 1));
    case 'intersection':
      return [def.left, def.right].flatMap((side) => (side ? objectsOf(side, depth + 1) : []));
    default:
      return [];
  }
}

/** What one step of `path` leads to from `schema` (a key of an object or record, an index of an array). */
function childrenOf(schema: z.ZodType, step: string | number, depth = 0): z.ZodType[] {
  if (depth > 20) return [];
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const child = typeof step === 'string' && def.shape && Object.hasOwn(def.shape, step) ? def.shape[step] : undefined;
      return child ? [child] : [];
    }
    case 'record':
      return def.valueType ? [def.valueType] : [];
    case 'array':
      return typeof step === 'number' && def.element ? [def.element] : [];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return def.innerType ? childrenOf(def.innerType, step, depth + 1) : [];
    case 'pipe':
      return def.in ? childrenOf(def.in, step, depth + 1) : [];
    case 'lazy':
      return def.getter ? childrenOf(def.getter(), step, depth + 1) : [];
    case 'union':
      return (def.options ?? []).flatMap((option) => childrenOf(option, step, depth + 1));
    case 'intersection':
      return [def.left, def.right].flatMap((side) => (side ? childrenOf(side, step, depth + 1) : []));
    default:
      return [];
  }
}

/** Every key an object at `path` may have, per `schema` (empty when the path leads nowhere known). */
export function knownKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let here: z.ZodType[] = [schema];
  for (const step of path) here = here.flatMap((s) => childrenOf(s, step));
  const keys = new Set<string>();
  for (const object of here.flatMap((s) => objectsOf(s))) for (const key of Object.keys(defOf(object).shape ?? {})) keys.add(key);
  return [...keys];
}
