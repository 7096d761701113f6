import { request as httpGet } from 'node:http';

/** What the load generator counted: answers that never came, and the model's own HTTP 500 answers. */
export interface LoadCounts {
  sent: number;
  /** No answer: a refused connection, a timeout, or anything but 200 and 500 (e.g. 503, no model). */
  failed: number;
  /** Answered HTTP 500: the server was up and said the model gave no usable prediction. */
  errors: number;
}

export interface LoadGenerator {
  /** The counts so far (the generator keeps going). */
  counts(): LoadCounts;
  /** From now on a request every 100 ms per environment: enough for the monitor to measure, little CPU. */
  trickle(): void;
  stop(): LoadCounts;
}

/**
 * Live traffic: asks both environments for predictions back to back (one request in flight each).
 * Its inputs span [-3, 3], a bit wider than the [-2, 2] the training and holdout data were sampled
 * from — as live traffic does — which the v4 chapter's model trips on.
 */
export function startLoad(port: number): LoadGenerator {
  const counts: LoadCounts = { sent: 0, failed: 0, errors: 0 };
  let running = true;
  let pauseMs = 5;
  const loop = async (env: string) => {
    while (running) {
      counts.sent++;
      const status = await new Promise<number>((resolve) => {
        const req = httpGet({ host: '127.0.0.1', port, path: `/predict/${env}?x1=${Math.random() * 6 - 3}&x2=${Math.random() * 6 - 3}`, timeout: 5000 }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve(0));
        req.on('timeout', () => req.destroy());
        req.end();
      });
      if (status === 500) counts.errors++;
      else if (status !== 200) counts.failed++;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  void loop('staging');
  void loop('production');
  return {
    counts: () => ({ ...counts }),
    trickle() {
      pauseMs = 100;
    },
    stop() {
      running = false;
      return { ...counts };
    },
  };
}

/** The demo's last line: `requests: N sent, F failed` (and the model's own HTTP 500 answers, if any). */
export function requestsLine(counts: LoadCounts): string {
  return `requests: ${counts.sent} sent, ${counts.failed} failed${counts.errors ? `; ${counts.errors} answered HTTP 500 by v4 (its NaN predictions)` : ''}`;
}
