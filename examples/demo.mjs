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
/** The length of `text` on screen, colour codes left out. */
// eslint-disable-next-line no-control-regex -- matching the ESC of ANSI colour codes is the point
const visible = (text) => text.replace(/\x1b\[[\d;]*m/g, '').length;

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
  { name: 'rate limit 429', title: 'Rate limited (429, Retry-After: 1 s), then answered', options: { stream: ask('fault:rate-limit:1*1') } },
  {
    name: 'cut, resumed',
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

/** Why an attempt failed, as its error code (with the HTTP status when there is one). */
const why = (error) => `${error.code ?? error.name}${error.status ? ` (HTTP ${error.status})` : ''}`;

/** Streams one scenario, rendering live; resolves to its summary row. */
function run({ name, title, options }) {
  console.log(`\n${bold(title)}`);
  const t0 = performance.now();
  let resumed = ''; // the checkpoint this attempt continues from (drawn dim)
  let fresh = ''; // this attempt's own new text
  let label = '';
  let ttft;
  let attempts = 0;
  let fallbacks = 0;
  const write = (s) => process.stdout.write(s);
  /** The attempt's text, only its tail (from a word start) if it would not fit before `status`, the resumed part dim. */
  const shown = (status = '', style = (t) => t) => {
    const room = Math.max(20, (process.stdout.columns || 100) - visible(label) - visible(status) - 2);
    const whole = resumed + fresh;
    let cut = 0;
    if (whole.length > room) {
      cut = whole.length - room + 1;
      const space = whole.indexOf(' ', cut);
      if (space >= 0 && space < whole.length - 10) cut = space;
    }
    const head = cut > 0 ? '…' : '';
    const oldPart = resumed.slice(Math.min(cut, resumed.length));
    const newPart = fresh.slice(Math.max(0, cut - resumed.length));
    return style(`${head}${dim(oldPart.trimStart())}${oldPart === '' ? newPart.trimStart() : newPart}`);
  };
  /** Parts of a line, one space apart, empty ones left out. */
  const line = (...parts) => parts.filter((p) => visible(p) > 0).join(' ');
  /** Said of a failed attempt's text off a terminal (a terminal strikes it through); an attempt that showed none has none to retract. */
  const retracted = () => (tty || resumed + fresh === '' ? '' : ' (text retracted)');
  /** Ends the attempt's line: redrawn with `status` on a terminal, `status` appended elsewhere. */
  const finish = (status, style) => {
    if (tty) write(`\r\x1b[2K${line(dim(label), shown(status, style), status)}\n`);
    else write(`${resumed + fresh === '' ? '' : ' '}${status}\n`);
  };

  return new Promise((resolve) => {
    const done = (outcome, usage) =>
      resolve({ name, outcome, attempts, fallbacks, ttft, usage, text: resumed + fresh, ms: performance.now() - t0 });
    l0({ ...options, timeout: options.timeout ?? { initialToken: 3000, interToken: 3000 } }).subscribe({
      next: (event) => {
        switch (event.type) {
          case 'start':
            attempts++;
            resumed = fresh = '';
            label = `  ${(event.isFallback ? `fallback ${event.fallbackIndex}` : `attempt ${event.attempt}`).padEnd(10)} │`;
            write(`${dim(label)} `);
            break;
          case 'resume':
            resumed = event.checkpoint;
            if (tty) write(`\r\x1b[2K${line(dim(label), shown())}`);
            else write(`[resumed] ${event.checkpoint} ⟫`); // the mark: new text follows
            break;
          case 'token':
            ttft ??= performance.now() - t0;
            fresh += event.value;
            if (tty) write(`\r\x1b[2K${line(dim(label), shown())}`);
            else write(resumed + fresh === event.value ? event.value.trimStart() : event.value);
            break;
          case 'retry':
            finish(yellow(`✗ ${why(event.error)}, retry in ${event.delayMs} ms${retracted()}`), struck);
            break;
          case 'fallback':
            fallbacks++;
            finish(yellow(`✗ ${why(event.error)}, falling back${retracted()}`), struck);
            break;
          case 'complete':
            finish(green(`✓ ${event.finishReason}`));
            done('complete', event.usage);
            break;
          default:
            break;
        }
      },
      error: (error) => {
        finish(red(`✗ ${why(error)}: ${error.message}`));
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
  ['attempts', (r) => `${r.attempts - r.fallbacks}${r.fallbacks ? ` + ${r.fallbacks} fallback` : ''}`],
  ['first token', (r) => (r.ttft === undefined ? '-' : `${Math.round(r.ttft)} ms`)],
  ['time', (r) => `${Math.round(r.ms)} ms`],
  ['tokens', (r) => (r.usage?.inputTokens !== undefined ? `${r.usage.inputTokens} + ${r.usage.outputTokens ?? '?'}` : '-')],
];
const cells = rows.map((r) => columns.map(([, get]) => get(r)));
const widths = columns.map(([name], i) => Math.max(name.length, ...cells.map((c) => c[i].length)));
const format = (values) => `  ${values.map((v, i) => v.padEnd(widths[i])).join('  ')}`.trimEnd();
console.log(dim(format(columns.map(([name]) => name))));
for (const c of cells) console.log(format(c));
console.log(dim('  tokens: the provider\'s usage, prompt + answer, for the attempt that completed'));
console.log(dim('  (a resumed attempt\'s prompt includes the checkpoint it sends back).'));
if (!live) {
  console.log(dim('  cut, resumed: the fault server answers "continue" with the whole reply again; l0() drops the'));
  console.log(dim('  repeated start (deduplicateContinuation), so the text is right while the usage counts the whole reply.'));
}
if (!live) {
  const wrong = rows.filter((r) => r.text !== REPLY).map((r) => r.name);
  console.log(wrong.length === 0
    ? green('  Every final text is exactly the reply: nothing duplicated, nothing lost.')
    : red(`  Final text differs from the reply the server sent in: ${wrong.join(', ')}.`));
}
if (server) {
  const closed = server.requests.filter((r) => r.closedByClient).length;
  console.log(dim(`  fault server: ${server.requests.length} HTTP requests, ${closed} closed early by the client (aborted stalls).`));
  await server.close();
}
const ok = rows.every((r) => r.outcome === 'complete' && (live ? r.text.length > 0 : r.text === REPLY));
process.exitCode = ok ? 0 : 1;
