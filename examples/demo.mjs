// @ts-check
// The l0-rx demo: the real `openai` SDK streams through l0() while the built-in fault server injects
// failures: a 429 with Retry-After, a cut stream resumed from its checkpoint, a stall that falls back
// to a second model, and an empty answer that is retried. Offline, no API key.
//
//   npm run demo                 (against the local fault server)
//   npm run demo -- --live       (with OPENAI_API_KEY: the same pipelines against the real provider)
import OpenAI from 'openai';
import { performance } from 'node:perf_hooks';
import { l0 } from 'l0-rx';
import { startFaultServer } from 'l0-rx/testing';

const live = process.argv.includes('--live');
if (live && !process.env.OPENAI_API_KEY) {
  console.error('--live needs OPENAI_API_KEY in the environment.');
  process.exit(2);
}

const tty = Boolean(process.stdout.isTTY);
const paint = (code, text) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
const dim = (t) => paint('2', t);
const bold = (t) => paint('1', t);
const green = (t) => paint('32', t);
const red = (t) => paint('31', t);
const yellow = (t) => paint('33', t);
const struck = (t) => paint('2;9', t);

const REPLY = 'Reactive streams make failures boring: every retry, fallback and resume is an event you can see.';
const server = live ? undefined : await startFaultServer({ reply: REPLY, tokenDelayMs: 35 });
if (live) console.log(dim('--live: the same pipelines against the real provider; it injects no faults, so expect clean runs.'));
const client = new OpenAI({
  apiKey: live ? process.env.OPENAI_API_KEY : 'demo-key',
  ...(server ? { baseURL: server.url } : {}),
  maxRetries: 0, // l0-rx owns retries
});

/** A stream factory for one model; with a checkpoint it asks the model to continue from it. */
const ask = (model) => (/** @type {import('l0-rx').L0StreamContext} */ { signal, checkpoint }) => {
  /** @type {import('openai/resources/chat/completions').ChatCompletionMessageParam[]} */
  const messages = [{ role: 'user', content: 'In one sentence: why do reactive streams make LLM failures boring?' }];
  if (checkpoint) messages.push({ role: 'assistant', content: checkpoint }, { role: 'user', content: 'Continue exactly where you stopped.' });
  return client.chat.completions.create(
    {
      model: live ? 'gpt-4o-mini' : model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    },
    { signal },
  );
};

const scenarios = [
  { name: 'rate limit (429)', title: 'Rate limited (429, Retry-After: 1 s), then answered', options: { stream: ask('fault:rate-limit:1*1') } },
  {
    name: 'cut stream, resumed',
    title: 'Stream cut after 7 tokens, resumed from its last checkpoint',
    options: { stream: ask('fault:cut-after-n:7*1'), continueFromLastKnownGoodToken: true, checkpointInterval: 3 },
  },
  {
    name: 'stall, fallback',
    title: 'Primary stalls mid-answer, falls back to a second model',
    options: {
      stream: ask('fault:stall:4'),
      fallbackStreams: [ask('backup-model')],
      timeout: { initialToken: 2000, interToken: 400 },
      retry: { attempts: 1, maxRetries: 1, backoff: 'fixed', baseDelay: 200 },
    },
  },
  { name: 'zero output', title: 'Empty answer (zero output), retried', options: { stream: ask('fault:empty-completion*1'), retry: { baseDelay: 300, backoff: 'fixed' } } },
];

/** Streams one scenario, rendering live; resolves to its summary row. */
function run({ name, title, options }) {
  console.log(`\n${bold(title)}`);
  const t0 = performance.now();
  let resumed = ''; // the checkpoint this attempt continues from (drawn dim)
  let fresh = ''; // this attempt's own new text
  let label = '';
  let ttft;
  let starts = 0;
  let fallbacks = 0;
  let tokens = 0;
  const write = (s) => process.stdout.write(s);
  const room = () => Math.max(20, (process.stdout.columns ?? 100) - label.length - 40); // leaves space for the status
  /** The attempt's text, its tail only if too long, with the resumed part dim. */
  const shown = (style = (t) => t) => {
    const whole = resumed + fresh;
    const cut = Math.max(0, whole.length - room());
    const head = cut > 0 ? '…' : '';
    const oldPart = resumed.slice(Math.min(cut, resumed.length));
    const newPart = fresh.slice(Math.max(0, cut - resumed.length));
    return style(`${head}${dim(oldPart)}${newPart}`);
  };
  const redraw = (text) => write(`\r\x1b[2K${dim(label)}${text}`);

  return new Promise((resolve) => {
    const done = (outcome) => resolve({ name, outcome, starts, fallbacks, ttft, tokens, text: resumed + fresh, ms: performance.now() - t0 });
    l0({ ...options, timeout: options.timeout ?? { initialToken: 3000, interToken: 3000 } }).subscribe({
      next: (event) => {
        switch (event.type) {
          case 'start':
            starts++;
            tokens = 0;
            resumed = fresh = '';
            label = `  ${event.isFallback ? `fallback ${event.fallbackIndex}` : `attempt ${event.attempt}`} │ `;
            write(dim(label));
            break;
          case 'resume':
            resumed = event.checkpoint;
            if (tty) redraw(shown());
            else write(dim(`[resumed from "${event.checkpoint}"] `));
            break;
          case 'token':
            ttft ??= performance.now() - t0;
            tokens++;
            fresh += event.value;
            if (tty) redraw(shown());
            else write(event.value);
            break;
          case 'retry':
          case 'fallback': {
            if (event.type === 'fallback') fallbacks++;
            const why = event.type === 'retry'
              ? `${event.reason}, retry in ${event.delayMs} ms`
              : `${event.error.code ?? event.error.name}, falling back`;
            if (tty) redraw(`${shown(struck)} ${yellow(`✗ ${why}`)}`);
            else write(` ${yellow(`✗ ${why} (text retracted)`)}`);
            write('\n');
            break;
          }
          case 'complete':
            write(` ${green(`✓ ${event.finishReason}`)}${event.usage?.totalTokens ? dim(` ${event.usage.totalTokens} tok`) : ''}\n`);
            done('complete');
            break;
          default:
            break;
        }
      },
      error: (error) => {
        write(` ${red(`✗ ${error.name}: ${error.message}`)}\n`);
        done(error.code ?? error.name);
      },
    });
  });
}

const rows = [];
for (const scenario of scenarios) rows.push(await run(scenario));

console.log(`\n${bold('Summary')}`);
/** @type {Array<[string, (r: any) => string]>} */
const columns = [
  ['scenario', (r) => r.name],
  ['outcome', (r) => r.outcome],
  ['tries', (r) => String(r.starts)],
  ['fb', (r) => String(r.fallbacks)],
  ['1st token', (r) => (r.ttft === undefined ? '-' : `${Math.round(r.ttft)} ms`)],
  ['tokens', (r) => String(r.tokens)],
  ['time', (r) => `${Math.round(r.ms)} ms`],
  ['text', (r) => (r.text.length > 22 ? `${r.text.slice(0, 21)}…` : r.text)],
];
const cells = rows.map((r) => columns.map(([, get]) => get(r)));
const widths = columns.map(([name], i) => Math.max(name.length, ...cells.map((c) => c[i].length)));
const format = (values) => `  ${values.map((v, i) => v.padEnd(widths[i])).join('  ')}`;
console.log(dim(format(columns.map(([name]) => name))));
for (const c of cells) console.log(format(c));
if (server) {
  const closed = server.requests.filter((r) => r.closedByClient).length;
  console.log(dim(`fault server: ${server.requests.length} HTTP requests, ${closed} closed early by the client (aborted stalls)`));
  await server.close();
}
const ok = rows.every((r) => r.outcome === 'complete' && r.text.length > 0);
process.exitCode = ok ? 0 : 1;
