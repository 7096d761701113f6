// Serves predictions over HTTP. Every request reads the model through the environment's
// `current` link, so a deploy or a rollback takes effect on the next request, with no restart.
//   node src/serve.mjs PORT ENV_DIR [ENV_DIR...]   →   GET /predict/<env>?x1=..&x2=..
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, join } from 'node:path';
import { predict } from './model.mjs';

const [port, ...envDirs] = process.argv.slice(2);
const envs = new Map(envDirs.map((dir) => [basename(dir), dir]));
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env = envs.get(url.pathname.replace(/^\/predict\//, ''));
  if (!env) {
    res.writeHead(404).end('unknown environment\n');
    return;
  }
  try {
    const model = JSON.parse(readFileSync(join(env, 'current', 'model', 'weights.json'), 'utf8'));
    const p = predict(model, Number(url.searchParams.get('x1')), Number(url.searchParams.get('x2')));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ p, epochs: model.epochs }));
  } catch (err) {
    res.writeHead(503).end(`no model: ${err.message}\n`);
  }
});
server.listen(Number(port), '127.0.0.1', () => console.log(`serving on 127.0.0.1:${server.address().port}`));
