// The operations holding environments (one at a time per environment), and how many holds each
// environment has seen taken and let go: a comparison of `current` with the history that spans a
// change of that count spans an operation, and says nothing (reconciliation.ts).
import { busyText } from '@axum/protocol';
import { RequestFailure } from './pipeline.js';

/** The operation holding an environment, as `state` shows it and a conflict names it. */
export interface Hold {
  revision: number;
  kind: string;
  holder: string;
  startedAt: string;
  /** Resolves when the environment is free again. */
  done: Promise<void>;
}

/** The holds, counting per environment every hold taken and let go (what `quiet` compares). */
export class CountedHolds extends Map<string, Hold> {
  readonly #changes = new Map<string, number>();
  changes(env: string): number {
    return this.#changes.get(env) ?? 0;
  }
  override set(env: string, hold: Hold): this {
    this.#changes.set(env, this.changes(env) + 1);
    return super.set(env, hold);
  }
  override delete(env: string): boolean {
    this.#changes.set(env, this.changes(env) + 1);
    return super.delete(env);
  }
}

/** Every request refused because `hold` has `env` says so in these words (the clients' own check too). */
export function busyRefusal(env: string, hold: Hold): RequestFailure {
  return new RequestFailure('conflict', busyText(env, hold));
}
