/**
 * The fault server's model-name grammar (`fault:<name>[:<arg>][*<k>]`) and what each fault does,
 * as a transport-independent plan that the testing kit's sse.ts renders as Chat Completions (SSE or a
 * JSON completion) and responsesSse.ts as the Responses API (its events or a `response` object), and
 * that {@link injectFaults} turns into errors and events. No node:* import and no clock: shared by
 * the root entry and `l0-rx/testing` (which re-exports its public part from testing/faults.ts).
 */
import { closestName } from '../internal/closestName.js';

/**
 * Every fault the fault server knows, in the order of DESIGN.md section 8 (plus `auth-401`, `quota-429` and `cut-tool-call`).
 * See {@link startFaultServer} for what each one does.
 *
 * @example
 * import { FAULT_NAMES } from 'l0-rx/testing';
 * for (const name of FAULT_NAMES) console.log(`fault:${name}`);
 */
export const FAULT_NAMES = Object.freeze([
  'rate-limit', 'rate-limit-ms', 'rate-limit-date', 'rate-limit-none',
  'server-error', 'unavailable', 'overloaded-529', 'auth-401', 'quota-429',
  'reset-before-headers', 'no-response', 'slow-first-token', 'cut-after-n', 'stall',
  'malformed-chunk', 'no-done', 'error-in-200', 'context-length-400', 'content-filter',
  'flapping', 'truncated-json', 'refusal', 'repetition-loop', 'empty-completion', 'tool-call-fragments',
  'cut-tool-call',
] as const);

/** A fault name, see {@link FAULT_NAMES} and {@link startFaultServer}. */
export type FaultName = (typeof FAULT_NAMES)[number];

/**
 * @internal The faults {@link injectFaults} knows: the server's, plus `rejects-prefill` (a 400 when the call
 * resumes from a checkpoint; the server cannot tell a prefill from a prompt, so it has no such fault).
 */
export const INJECT_FAULT_NAMES: readonly InjectFaultName[] = /*#__PURE__*/ Object.freeze([...FAULT_NAMES, 'rejects-prefill']);
/** A fault {@link injectFaults} can inject: a {@link FaultName} or `rejects-prefill`. */
export type InjectFaultName = FaultName | 'rejects-prefill';

/** A parsed `fault:<name>[:<arg>][*<k>]` model name. */
export interface FaultSpec<N extends string = FaultName> {
  readonly name: N;
  /** The raw argument after the second `:`, if any. */
  readonly arg?: string;
  /** `*k`: the fault applies to the first `k` requests for this model only. */
  readonly limit?: number;
}

/** `count`: a whole number >= 0; `repeats` and `fragments`: >= 1 (`fragments` at most one per character of the call's arguments). */
type ArgKind = 'seconds' | 'ms' | 'count' | 'repeats' | 'fragments' | readonly string[];
/** The argument each fault takes; a fault not named here takes none. */
const ARG_KINDS: Partial<Readonly<Record<InjectFaultName, ArgKind>>> = {
  'rate-limit': 'seconds', 'rate-limit-ms': 'ms', 'rate-limit-date': 'seconds', 'slow-first-token': 'ms', 'cut-after-n': 'count',
  stall: 'count', 'malformed-chunk': 'count', 'error-in-200': 'count', 'content-filter': 'count',
  refusal: ['content', 'delta'], 'repetition-loop': 'repeats', 'tool-call-fragments': 'fragments', 'cut-tool-call': 'count',
};

/** The number of argument fragments `cut-tool-call` splits its call into (its argument: how many are sent). */
const CUT_TOOL_CALL_FRAGMENTS = 4;
/** @internal The largest count argument (tokens, repeats, fragments) a fault accepts. */
export const MAX_FAULT_COUNT = 10_000;
/** The arguments of the tool call that `tool-call-fragments` and `cut-tool-call` stream. */
const TOOL_ARGS = '{"city": "Paris", "unit": "celsius", "days": 3}';
/** The count arguments with a smaller limit than {@link MAX_FAULT_COUNT}, and why (said in the error). */
const COUNT_LIMITS: Partial<Readonly<Record<InjectFaultName, readonly [max: number, why: string]>>> = {
  'tool-call-fragments': [TOOL_ARGS.length, ' (one character of the arguments each)'],
  'cut-tool-call': [CUT_TOOL_CALL_FRAGMENTS, ` (the call has ${CUT_TOOL_CALL_FRAGMENTS} argument fragments)`],
};
/** @internal The largest time argument a fault accepts, in seconds (`rate-limit*`; milliseconds arguments: x1000). */
export const MAX_FAULT_SECONDS = 3600;

/**
 * Parses a fault server model name. Returns `undefined` for a model that is not a fault (it streams
 * the reply cleanly) and throws a `TypeError` naming the problem for a bad fault model.
 *
 *   'fault:rate-limit:2*1'     model
 *   {name: 'rate-limit', arg: '2', limit: 1}
 *
 * Rules: the name must be one of {@link FAULT_NAMES}, lower-case like the `fault:` prefix (a model
 * named `Fault:stall` or `fault:STALL` throws, naming the lower-case spelling); `:<arg>` is a number for `rate-limit*` (seconds,
 * at most 3600; `rate-limit-ms`: milliseconds, at most 3 600 000) and `slow-first-token` (ms, at most
 * 3 600 000; the server still waits 10 s at most), a whole count of at most 10 000 for `cut-after-n`,
 * `stall`, `malformed-chunk`, `error-in-200`, `content-filter` (tokens before the fault) and
 * `cut-tool-call` (argument fragments sent before the cut, at most its 4), 1 to 10 000 for `repetition-loop`
 * (repeats), 1 to 47 for `tool-call-fragments` (fragments; its arguments are 47 characters), `content` or `delta` for
 * `refusal`, and not allowed for the others; `*<k>` is a whole number >= 1.
 *
 * @example
 * import { parseFaultModel } from 'l0-rx/testing';
 * parseFaultModel('fault:cut-after-n:5'); // {name: 'cut-after-n', arg: '5'}
 * parseFaultModel('gpt-4o-mini');         // undefined
 * @param model The request's model name. @returns The fault, or `undefined` for an ordinary model.
 * @throws TypeError for an unknown fault name, one in another case, a bad or too large argument (naming the limit) or a bad `*k`.
 */
export function parseFaultModel(model: string): FaultSpec | undefined {
  if (typeof model !== 'string') throw new TypeError(`parseFaultModel: model must be a string, got ${typeof model}`);
  if (!hasPrefix(model)) return undefined;
  return parseFaultText(model.slice(PREFIX.length), model);
}

/** @internal Parses an `x-fault` header value: the same grammar, with or without the `fault:` prefix. */
export function parseFaultHeader(value: string): FaultSpec {
  return parseFaultText(hasPrefix(value) ? value.slice(PREFIX.length) : value, value);
}

const PREFIX = 'fault:';
/** Fault names are lower-case, their `fault:` prefix too: `Fault:stall` is refused, never taken for an ordinary model. */
function hasPrefix(text: string): boolean {
  if (text.startsWith(PREFIX)) return true;
  if (text.slice(0, PREFIX.length).toLowerCase() === PREFIX) throw lowerCase(text);
  return false;
}

const lowerCase = (original: string) =>
  new TypeError(`fault "${original}": fault names and the fault: prefix are lower-case (did you mean "${original.toLowerCase()}"?)`);

/** @internal One `name[:arg][*k]` entry of {@link injectFaults}' `faults` (no `fault:` prefix), checked as the server checks a model. */
export function parseInjectedFault(text: string): FaultSpec<InjectFaultName> {
  const rest = text.slice(0, PREFIX.length).toLowerCase() === PREFIX ? text.slice(PREFIX.length) : text;
  const spec = parseFaultText(rest, text, INJECT_FAULT_NAMES); // a bad fault behind the prefix first: the hint below parses
  if (rest !== text) throw new TypeError(`fault "${text}": injectFaults takes the fault without its fault: prefix (did you mean "${rest}"?)`);
  return spec;
}

function parseFaultText<N extends string>(text: string, original: string, names: readonly N[] = FAULT_NAMES as readonly string[] as N[]): FaultSpec<N> {
  let rest = text;
  let limit: number | undefined;
  const star = rest.lastIndexOf('*');
  if (star >= 0) {
    const k = rest.slice(star + 1);
    if (!/^[1-9]\d*$/.test(k)) throw new TypeError(`fault "${original}": *<k> must be a whole number >= 1, got "*${k}"`);
    limit = Number(k);
    rest = rest.slice(0, star);
  }
  const colon = rest.indexOf(':');
  const name = colon >= 0 ? rest.slice(0, colon) : rest;
  const arg = colon >= 0 ? rest.slice(colon + 1) : undefined;
  if (!(names as readonly string[]).includes(name)) {
    if ((names as readonly string[]).includes(name.toLowerCase())) throw lowerCase(original);
    const guess = closestName(name, names);
    throw new TypeError(`unknown fault "${name}" in "${original}" (${guess ? `did you mean "${guess}"? ` : ''}known faults: ${names.join(', ')})`);
  }
  const faultName = name as N;
  checkArg(faultName as InjectFaultName, arg, original);
  return { name: faultName, ...(arg === undefined ? {} : { arg }), ...(limit === undefined ? {} : { limit }) };
}

function checkArg(name: InjectFaultName, arg: string | undefined, original: string): void {
  if (arg === undefined) return;
  const kind = ARG_KINDS[name];
  const bad = (what: string) => new TypeError(`fault "${original}": ${name} ${what}, got "${arg}"`);
  if (!kind) throw bad('takes no argument');
  if (Array.isArray(kind)) {
    if (!kind.includes(arg)) throw bad(`takes one of ${kind.join(', ')}`);
    return;
  }
  if (kind === 'count' || kind === 'repeats' || kind === 'fragments') {
    const min = kind === 'count' ? 0 : 1;
    if (!/^\d+$/.test(arg) || Number(arg) < min) throw bad(`takes a whole number >= ${min}`);
    const [max, why] = COUNT_LIMITS[name] ?? [MAX_FAULT_COUNT, ''];
    if (Number(arg) > max) throw bad(`takes a whole number of at most ${max}${why}`);
    return;
  }
  const [unit, max] = kind === 'seconds' ? (['seconds', MAX_FAULT_SECONDS] as const) : (['ms', MAX_FAULT_SECONDS * 1000] as const);
  if (!/^\d+(\.\d+)?$/.test(arg)) throw bad('takes a number >= 0');
  if (Number(arg) > max) throw bad(`takes at most ${max} ${unit}`);
}

/** An OpenAI finish reason. */
export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/**
 * One piece of a streamed response. `raw` is written verbatim as a Chat Completions SSE data line;
 * `fault` says which fault it stands for, so another wire format renders its own version.
 */
export type StreamPart =
  | { readonly content: string }
  | { readonly refusal: string }
  | { readonly tool: { readonly index: number; readonly id?: string; readonly name?: string; readonly args: string } }
  | { readonly raw: string; readonly fault: 'malformed-chunk' | 'error-in-200' };

/**
 * @internal What the server does for one request.
 * `stream` endings: `done` = finish chunk, usage chunk, `[DONE]`; `end` = the body just ends (no finish
 * reason, no `[DONE]`); `cut` = the socket is destroyed; `stall` = silence with the socket open.
 */
export type FaultPlan =
  | { readonly kind: 'status'; readonly status: number; readonly statusText?: string; readonly headers: Readonly<Record<string, string>>; readonly body: unknown }
  | { readonly kind: 'reset' }
  | { readonly kind: 'hang' }
  | {
      readonly kind: 'stream';
      readonly parts: readonly StreamPart[];
      readonly finish: OpenAIFinishReason | null;
      readonly ending: 'done' | 'end' | 'cut' | 'stall';
      readonly firstDelayMs?: number;
    };

/** The longest delay the server ever waits (slow-first-token and token gaps are capped to it). */
export const MAX_DELAY_MS = 10_000;

const openAIError = (message: string, type: string, code: string | null) => ({ error: { message, type, param: null, code } });
function words(text: string): string[] {
  const out: string[] = [...(text.match(/\s*\S+/g) ?? [])];
  const tail = text.slice(out.join('').length);
  if (tail !== '') {
    if (out.length > 0) out[out.length - 1] += tail;
    else out.push(tail);
  }
  return out;
}
const content = (tokens: readonly string[]): StreamPart[] => tokens.map((c) => ({ content: c }));
const num = (arg: string | undefined, fallback: number): number => (arg === undefined ? fallback : Number(arg));
const clean = (reply: string): Extract<FaultPlan, { kind: 'stream' }> => ({ kind: 'stream', parts: content(words(reply)), finish: 'stop', ending: 'done' });

const TRUNCATED_JSON = ['{"', 'name', '": "', 'Ada', ' Lovelace', '", "', 'born', '": ', '1815', ', "', 'languages', '": ["', 'en', '", "'];
const IN_BAND_ERROR = JSON.stringify(openAIError('The server had an error while processing your request. Sorry about that!', 'server_error', null));
const MALFORMED_JSON = '{"id":"chatcmpl-broken","choices":[{"index":0,"delta":{"content":';

/** @internal How many tokens of the reply a fault sends before it strikes, without an argument. */
export const TOKENS_BEFORE: Partial<Readonly<Record<FaultName, number>>> = { 'cut-after-n': 3, stall: 2, 'malformed-chunk': 2, 'error-in-200': 2, 'content-filter': 3 };

/** @internal Splits a reply into word chunks (`'a b'` -> `['a', ' b']`), keeping all whitespace. */
export const splitWords = words;

/**
 * @internal The plan for a request: `spec` undefined (or past its `*k` limit) streams `reply` cleanly.
 * `requestNumber` is the 1-based number of this request among those for the same model; `now` (epoch ms)
 * dates `rate-limit-date`'s `retry-after` (the server passes the wall clock, injectFaults its scheduler's).
 */
export function planFaultAt(spec: FaultSpec | undefined, reply: string, requestNumber: number, now: number): FaultPlan {
  if (!spec) return clean(reply);
  const { name, arg } = spec;
  const tokens = words(reply);
  const firstN = () => content(tokens.slice(0, num(arg, TOKENS_BEFORE[name]!)));
  switch (name) {
    case 'rate-limit': return rateLimit({ 'retry-after': String(num(arg, 1)) });
    case 'rate-limit-ms': return rateLimit({ 'retry-after-ms': String(num(arg, 1000)) });
    case 'rate-limit-date': return rateLimit({ 'retry-after': new Date(now + num(arg, 1) * 1000).toUTCString() });
    case 'rate-limit-none': return rateLimit({});
    case 'server-error': return status(500, openAIError('The server had an error while processing your request.', 'server_error', null));
    case 'unavailable': return status(503, openAIError('The service is temporarily unavailable.', 'server_error', null));
    case 'overloaded-529':
      return { ...status(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), statusText: 'Overloaded' };
    // the server checks no key, so it names none (it would name a key the client never sent)
    case 'auth-401': return status(401, openAIError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
    case 'quota-429':
      return status(429, openAIError('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'));
    case 'context-length-400':
      return status(400, openAIError("This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.", 'invalid_request_error', 'context_length_exceeded'));
    case 'reset-before-headers': return { kind: 'reset' };
    case 'no-response': return { kind: 'hang' };
    // the server's planFault caps the delay at MAX_DELAY_MS; injectFaults waits it whole
    case 'slow-first-token': return { ...clean(reply), firstDelayMs: num(arg, 500) };
    case 'cut-after-n': return { kind: 'stream', parts: firstN(), finish: null, ending: 'cut' };
    case 'stall': return { kind: 'stream', parts: firstN(), finish: null, ending: 'stall' };
    case 'malformed-chunk': {
      const n = num(arg, TOKENS_BEFORE[name]!);
      return { kind: 'stream', parts: [...content(tokens.slice(0, n)), { raw: MALFORMED_JSON, fault: 'malformed-chunk' }, ...content(tokens.slice(n))], finish: 'stop', ending: 'done' };
    }
    case 'no-done': return { kind: 'stream', parts: content(tokens), finish: null, ending: 'end' };
    case 'error-in-200': return { kind: 'stream', parts: [...firstN(), { raw: IN_BAND_ERROR, fault: 'error-in-200' }], finish: null, ending: 'end' };
    case 'content-filter': return { kind: 'stream', parts: firstN(), finish: 'content_filter', ending: 'done' };
    case 'flapping': return requestNumber % 2 === 1 ? planFaultAt({ name: 'unavailable' }, reply, requestNumber, now) : clean(reply);
    case 'truncated-json': return { kind: 'stream', parts: content(TRUNCATED_JSON), finish: 'stop', ending: 'done' };
    case 'refusal': {
      const refusal = words("I'm sorry, but I cannot help with that.");
      return { kind: 'stream', parts: arg === 'delta' ? refusal.map((r) => ({ refusal: r })) : content(refusal), finish: 'stop', ending: 'done' };
    }
    case 'repetition-loop': {
      const sentence = words('I will keep saying the same thing. ');
      const parts = Array.from({ length: Math.max(1, num(arg, 20)) }, () => content(sentence)).flat();
      return { kind: 'stream', parts, finish: 'length', ending: 'done' };
    }
    case 'empty-completion': return { kind: 'stream', parts: [], finish: 'stop', ending: 'done' };
    case 'tool-call-fragments': return toolCallFragments(Math.max(1, num(arg, 4)));
    // the call's head and its first k argument fragments of 4, then the socket is destroyed: no finish reason
    case 'cut-tool-call': return { ...toolCallFragments(CUT_TOOL_CALL_FRAGMENTS, num(arg, 2)), finish: null, ending: 'cut' };
  }
}

function status(code: number, body: unknown, headers: Record<string, string> = {}): FaultPlan & { kind: 'status' } {
  return { kind: 'status', status: code, headers, body };
}

function rateLimit(headers: Record<string, string>): FaultPlan {
  return status(429, openAIError('Rate limit reached for requests. Please try again later.', 'requests', 'rate_limit_exceeded'), headers);
}

/** One `get_weather` call whose arguments come in `fragments` pieces, of which the first `keep` are sent. */
function toolCallFragments(fragments: number, keep = fragments): Extract<FaultPlan, { kind: 'stream' }> {
  // balanced sizes (the longer first), so any count up to the text's length gives exactly that many non-empty pieces
  const base = Math.floor(TOOL_ARGS.length / fragments);
  const longer = TOOL_ARGS.length % fragments;
  const pieces = Array.from({ length: fragments }, (_, i) => {
    const from = i * base + Math.min(i, longer);
    return TOOL_ARGS.slice(from, from + base + (i < longer ? 1 : 0));
  }).filter((p) => p !== '').slice(0, keep);
  const parts: StreamPart[] = [
    { tool: { index: 0, id: 'call_fault_1', name: 'get_weather', args: '' } },
    ...pieces.map((args) => ({ tool: { index: 0, args } })),
  ];
  return { kind: 'stream', parts, finish: 'tool_calls', ending: 'done' };
}
