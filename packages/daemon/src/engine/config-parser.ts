import type { ConfigLoad } from '@axum/protocol';

// The port `axum.yml` is read through (beside ports.ts). The daemon's adapter parses in a worker
// thread that ends with the parse, so the YAML parser and the config's schema never stay in the
// long-lived daemon's heap (adapters/worker-config-parser.ts); tests parse in their own thread
// (testing/in-thread-config-parser.ts).

export interface ConfigParser {
  /** A pipeline file's text, validated: never rejects for what the text holds (its problems come back with line and column). */
  parseConfig(text: string, fileLabel: string): Promise<ConfigLoad>;
  /** YAML text as plain data; rejects when it does not parse. */
  parseYaml(text: string): Promise<unknown>;
}
