import { parseConfigText, parseYaml } from '@axum/protocol';
import type { ConfigParser } from '../config-parser.js';

/** The config parser of tests: the protocol's own functions, in the caller's thread. */
export const inThreadConfigParser: ConfigParser = {
  parseConfig: async (text, fileLabel) => parseConfigText(text, fileLabel),
  parseYaml: async (text) => parseYaml(text),
};
