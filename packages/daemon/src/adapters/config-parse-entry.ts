// The entry of the config parser's script (bundled apart by bundle.mjs as dist/axum-config-parse.cjs
// and loaded for each parse by transient-config-parser.ts): the YAML parser and the axum.yml
// schema, which the daemon's own bundle does not hold.
export { parseConfigText, parseYaml } from '@axum/protocol';
