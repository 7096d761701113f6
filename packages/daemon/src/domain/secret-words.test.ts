import { describe, expect, it } from 'vitest';
import { unsetSecretsRunWarning, unsetSecretWarning } from './secret-words.js';

describe('a declared secret the daemon lacks', () => {
  it('says to export it and restart the daemon, since exporting alone does not reach a running one', () => {
    expect(unsetSecretWarning('HF_TOKEN')).toBe(
      "secret HF_TOKEN is declared in axum.yml but not set in the daemon's environment: steps get it empty (a running daemon keeps the environment it started with: export HF_TOKEN=… in your shell, then axum daemon stop; the next axum command from that shell starts it again with it)",
    );
    expect(unsetSecretsRunWarning(['HF_TOKEN', 'WANDB_KEY'])).toBe(
      "secrets HF_TOKEN, WANDB_KEY declared in axum.yml but not set in the daemon's environment: its steps get them empty (a running daemon keeps the environment it started with: export HF_TOKEN=… WANDB_KEY=… in your shell, then axum daemon stop; the next axum command from that shell starts it again with them)",
    );
  });
});
