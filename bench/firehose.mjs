// A step that prints fixed-width lines at a steady rate: `node firehose.mjs LINES_PER_SEC LINE_BYTES SECONDS`.
// Line k (from 0) is `<k, 10 digits> <epoch ms, 13 digits> <padding>\n`, exactly LINE_BYTES long, so a
// reader can check there is no gap and no duplicate from a chunk's first line, last line and length,
// and read a latency from the timestamp. Written to stdout with backpressure; ends after SECONDS.
const [rate, width, seconds] = process.argv.slice(2).map(Number);
const pad = '.'.repeat(Math.max(0, width - 26));
const total = Math.round(rate * seconds);
let seq = 0;
const t0 = Date.now();
function tick() {
  const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * rate));
  if (due > seq) {
    const now = String(Date.now());
    let text = '';
    for (; seq < due; seq++) text += `${String(seq).padStart(10, '0')} ${now} ${pad}\n`;
    if (!process.stdout.write(text)) {
      process.stdout.once('drain', next);
      return;
    }
  }
  next();
}
function next() {
  if (seq >= total) return;
  setTimeout(tick, 5);
}
tick();
