import { describe, expect, it } from 'vitest';
import { unknownEnvironmentMessage } from './environment-names.js';

describe('unknownEnvironmentMessage', () => {
  it('names the environments there are, and the one meant when the typo is close', () => {
    expect(unknownEnvironmentMessage('nope', ['dev', 'staging', 'production'])).toBe("unknown environment 'nope' (environments: dev, staging, production)");
    expect(unknownEnvironmentMessage('prodution', ['dev', 'staging', 'production'])).toBe("unknown environment 'prodution' (did you mean production?; environments: dev, staging, production)");
    expect(unknownEnvironmentMessage('dev', [])).toBe("unknown environment 'dev' (the daemon knows none: axum validate checks axum.yml)");
  });
});
