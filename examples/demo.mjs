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
  { title: 'Rate limited (429, Retry-After: 1 s), then answered', options: { stream: ask('fault:rate-limit:1*1') } },
  {
    title: 'Stream cut after 7 tokens, resumed from its last checkpoint',
    options: { stream: ask('fault:cut-after-n:7*1'), continueFromLastKnownGoodToken: true, checkpointInterval: 3 },
  },
  {
    title: 'Primary stalls mid-answer, falls back to a second model',
    options: {
      stream: ask('fault:stall:4'),
      fallbackStreams: [ask('backup-model')],
      timeout: { initialToken: 2000, interToken: 400 },
      retry: { attempts: 1, maxRetries: 1, backoff: 'fixed', baseDelay: 200 },
    },
  },
  { title: 'Empty answer (zero output), retried', options: { stream: ask('fault:empty-completion*1'), retry: { baseDelay: 300, backoff: 'fixed' } } },
];

/** Streams one scenario, rendering live; resolves to its summary row. */
function run({ title, options }) {
  console.log(`\n${bold(title)}`);
  const t0 = performance.now();
  let line = ''; // the current attempt's visible text
  let label = '';
  let ttft;
  let starts = 0;
  let fallbacks = 0;
  let tokens = 0;
  const write = (s) => process.stdout.write(s);
  const width = Math.max(40, (process.stdout.columns ?? 100) - 4);
  const fit = (text) => (text.length > width - label.length ? `…${text.slice(-(width - label.length - 1))}` : text);
  const redraw = (styled) => (tty ? write(`\r\x1b[2K${label}${styled}`) : undefined);

  return new Promise((resolve) => {
    l0({ ...options, timeout: options.timeout ?? { initialToken: 3000, interToken: 3000 } }).subscribe({
      next: (event) => {
        switch (event.type) {
          case 'start':
            starts++;
            tokens = 0;
            line = '';
            label = dim(`  ${event.isFallback ? `fallback ${event.fallbackIndex}` : `attempt ${event.attempt}`} │ `);
            write(label);
            break;
          case 'resume':
            line = event.checkpoint;
            redraw(dim(fit(line)));
            if (!tty) write(dim(`[resumed from "${event.checkpoint}"] `));
            break;
          case 'token':
            ttft ??= performance.now() - t0;
            tokens++;
            line += event.value;
            if (tty) redraw(fit(line));
            else write(event.value);
            break;
          case 'retry':
          case 'fallback': {
            if (event.type === 'fallback') fallbacks++;
            const why = event.type === 'retry'
              ? `${event.reason}: retry in ${event.delayMs} ms`
              : `${event.error.code ?? event.error.name}: falling back`;
            if (tty) redraw(`${struck(fit(line))} ${yellow(`✗ ${why} (retracted)`)}`);
            else write(` ${yellow(`✗ ${why} (text retracted)`)}`);
            write('\n');
            break;
          }
          case 'complete':
            write(` ${green(`✓ ${event.finishReason}`)}${event.usage?.totalTokens ? dim(` (${event.usage.totalTokens} tokens used)`) : ''}\n`);
            resolve({ title, outcome: 'complete', starts, fallbacks, ttft, tokens, text: line, ms: performance.now() - t0 });
            break;
          default:
            break;
        }
      },
      error: (error) => {
        write(` ${red(`✗ ${error.name}: ${error.message}`)}\n`);
        resolve({ title, outcome: error.code ?? error.name, starts, fallbacks, ttft, tokens, text: line, ms: performance.now() - t0 });
      },
    });
  });
}

const rows = [];
for (const scenario of scenarios) rows.push(await run(scenario));

console.log(`\n${bold('Summary')}`);
const table = rows.map((r) => ({
  scenario: r.title.split(',')[0],
  outcome: r.outcome,
  attempts: r.starts,
  fallbacks: r.fallbacks,
  'first token': r.ttft === undefined ? '-' : `${Math.round(r.ttft)} ms`,
  tokens: r.tokens,
  'total time': `${Math.round(r.ms)} ms`,
  'final text': r.text.length > 48 ? `${r.text.slice(0, 47)}…` : r.text,
}));
console.table(table);
if (server) {
  const closed = server.requests.filter((r) => r.closedByClient).length;
  console.log(dim(`fault server: ${server.requests.length} HTTP requests, ${closed} closed early by the client (aborted stalls)`));
  await server.close();
}
const ok = rows.every((r) => r.outcome === 'complete' && r.text.length > 0);
process.exitCode = ok ? 0 : 1;
