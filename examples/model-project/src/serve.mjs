// Serves predictions over HTTP. Every request reads the model through the environment's
// `current` link, so a deploy or a rollback takes effect on the next request, with no restart.
//   node src/serve.mjs PORT ENV_DIR [ENV_DIR...]   →   GET /predict/<env>?x1=..&x2=..
// GET /metrics: Prometheus's text format, every series labelled by env and release — the release
// id `current` names (its folder's manifest.json), so a query can ask about one release:
//   model_requests_total{env,release}    predictions asked
//   model_errors_total{env,release}      answered HTTP 500: the model's answer was unusable (NaN, not in [0, 1])
//   model_request_seconds{env,release}   latency histogram (_bucket{le}, _sum, _count)
import { readFileSync, realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { predict } from './model.mjs';

const [port, ...envDirs] = process.argv.slice(2);
const envs = new Map(envDirs.map((dir) => [basename(dir), dir]));
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
/** Per `env\trelease`: counters and the latency histogram (bucket counts not cumulative here). */
const series = new Map();
/** Release folder → its id (a release folder never changes). */
const releaseIds = new Map();

/** The release `current` names: its folder (resolved once, so the model and the label agree) and id. */
function currentRelease(envDir) {
  const files = realpathSync(join(envDir, 'current')); // …/.axum/releases/rel-N/files
  let id = releaseIds.get(files);
  if (id === undefined) {
    try {
      id = JSON.parse(readFileSync(join(dirname(files), 'manifest.json'), 'utf8')).id;
    } catch {
      id = basename(dirname(files)); // the release folder is named after its id
    }
    releaseIds.set(files, id);
  }
  return { files, id };
}

function observe(env, release, error, seconds) {
  const key = `${env}\t${release}`;
  let s = series.get(key);
  if (!s) series.set(key, (s = { env, release, requests: 0, errors: 0, sum: 0, buckets: BUCKETS.map(() => 0) }));
  s.requests++;
  if (error) s.errors++;
  s.sum += seconds;
  const i = BUCKETS.findIndex((le) => seconds <= le);
  if (i >= 0) s.buckets[i]++;
}

function metrics() {
  const all = [...series.values()];
  const labels = (s, extra = '') => `{env="${s.env}",release="${s.release}"${extra}}`;
  const lines = ['# HELP model_requests_total Predictions asked, by environment and release.', '# TYPE model_requests_total counter'];
  for (const s of all) lines.push(`model_requests_total${labels(s)} ${s.requests}`);
  lines.push('# HELP model_errors_total Predictions answered HTTP 500 (the model gave no usable answer).', '# TYPE model_errors_total counter');
  for (const s of all) lines.push(`model_errors_total${labels(s)} ${s.errors}`);
  lines.push('# HELP model_request_seconds Time to answer a prediction.', '# TYPE model_request_seconds histogram');
  for (const s of all) {
    let cumulative = 0;
    BUCKETS.forEach((le, i) => lines.push(`model_request_seconds_bucket${labels(s, `,le="${le}"`)} ${(cumulative += s.buckets[i])}`));
    lines.push(`model_request_seconds_bucket${labels(s, ',le="+Inf"')} ${s.requests}`);
    lines.push(`model_request_seconds_sum${labels(s)} ${s.sum}`, `model_request_seconds_count${labels(s)} ${s.requests}`);
  }
  return `${lines.join('\n')}\n`;
}

const server = createServer((req, res) => {
  const started = process.hrtime.bigint();
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics());
    return;
  }
  const envName = url.pathname.replace(/^\/predict\//, '');
  const env = envs.get(envName);
  if (!env) {
    res.writeHead(404).end('unknown environment\n');
    return;
  }
  let release;
  let model;
  try {
    release = currentRelease(env);
    model = JSON.parse(readFileSync(join(release.files, 'model', 'weights.json'), 'utf8'));
  } catch (err) {
    res.writeHead(503).end(`no model: ${err.message}\n`);
    return;
  }
  const p = predict(model, Number(url.searchParams.get('x1')), Number(url.searchParams.get('x2')));
  const usable = Number.isFinite(p) && p >= 0 && p <= 1;
  if (usable) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ p, epochs: model.epochs, release: release.id }));
  else res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `the model gave no usable answer (${p})`, release: release.id }));
  observe(envName, release.id, !usable, Number(process.hrtime.bigint() - started) / 1e9);
});
server.listen(Number(port), '127.0.0.1', () => console.log(`serving on 127.0.0.1:${server.address().port}`));
