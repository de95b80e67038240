/**
 * What a fault plan (faults.ts) becomes at the library's layer, for {@link injectFaults}: the error the openai
 * SDK throws for an HTTP fault, the events (and typed error) its adapter makes of a synthesized stream, and a
 * real stream cut, stalled or ended the way the fault would.
 * Internal: never re-exported.
 */
import { concat, concatMap, defer, dematerialize, EMPTY, filter, from, map, materialize, NEVER, of, takeWhile, throwError, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { FINISH } from '../sources/adapters/openaiChat.js';
import { completeEvent, inBandError, incompleteStream, malformedChunk } from '../sources/adapters/shared.js';
import type { FaultPlan } from './faults.js';
import { apiError, classNamed, type FakeApiError } from './sdkErrors.js';

type StreamPlan = Extract<FaultPlan, { kind: 'stream' }>;

/** The openai SDK's error class per status (others of 500 and up: `InternalServerError`). */
const SDK_CLASS: Readonly<Record<number, string>> = { 400: 'BadRequestError', 401: 'AuthenticationError', 429: 'RateLimitError' };

/** The error the openai SDK throws for an answer of `status` with `headers` and the JSON `body` (`{error: {...}}`). */
export function statusError(status: number, headers: Readonly<Record<string, string>>, body: unknown): Error {
  // the body's error as sent, as the SDK keeps it (Anthropic's 529 has no code nor param)
  return apiError(SDK_CLASS[status] ?? 'InternalServerError', status, new Headers(headers), (body as { error: FakeApiError['error'] }).error);
}

/** openai's `APIConnectionError` for a socket reset before any header: its message, the `fetch failed` TypeError as cause. */
export function connectionError(): Error {
  const e = new (classNamed('APIConnectionError'))('Connection error.');
  return Object.assign(e, { cause: new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }) });
}

/** The cut of a stream after its headers (`cut-after-n`, `cut-tool-call`, `no-done`), as the adapters report one. */
const cut = (fault: string) => incompleteStream(`injectFaults ${fault}`);

/**
 * A synthesized stream (content faults): its parts as the openai chat adapter would emit them (text and
 * refusal deltas as tokens, the tool call's fragments as one `tool-call` before `complete`), then its ending.
 * The plans of content faults hold no `raw` part, and one tool call at most, its id and name in its first part.
 */
export function planEvents(plan: StreamPlan, fault: string): Observable<L0Event> {
  const events: L0Event[] = [];
  let call: { type: 'tool-call'; id: string; name: string; arguments: string } | undefined;
  for (const p of plan.parts) {
    if ('tool' in p) (call ??= { type: 'tool-call', id: p.tool.id!, name: p.tool.name!, arguments: '' }).arguments += p.tool.args;
    else events.push({ type: 'token', value: 'content' in p ? p.content : (p as { refusal: string }).refusal });
  }
  if (plan.ending !== 'done') return concat(from(events), throwError(() => cut(fault)));
  return from([...events, ...(call ? [call] : []), completeEvent(FINISH[plan.finish!], undefined)]);
}

/**
 * The real stream's events (its own `start` and `resume` dropped: the outer `fromStream` emits them) up to
 * its `count`-th token or its `complete`, whichever comes first (it is then unsubscribed: the request is
 * aborted), then what the fault's plan does there: a malformed chunk or an in-band error frame, the cut
 * (`cut`, `end`), silence (`stall`) or its own finish reason (`content-filter`).
 */
export function afterTokens(real$: Observable<L0Event>, count: number, plan: StreamPlan, fault: string): Observable<L0Event> {
  const raw = plan.parts.find((p) => 'raw' in p);
  const end: Observable<L0Event> = raw
    ? throwError(() => (raw.fault === 'malformed-chunk' ? malformedChunk('injectFaults', fault, raw.raw) : inBandError('injectFaults', (JSON.parse(raw.raw) as { error: unknown }).error)))
    : plan.ending === 'stall' ? NEVER
    : plan.ending === 'done' ? of(completeEvent(FINISH[plan.finish!], undefined))
    : throwError(() => cut(fault));
  const head = defer(() => {
    let tokens = 0;
    return own(real$).pipe(
      takeWhile((e) => e.type !== 'complete'),
      takeWhile((e) => e.type !== 'token' || ++tokens < count, true),
    );
  });
  return concat(count > 0 ? head : EMPTY, end);
}

/**
 * The real stream with its first event held back `ms` on `scheduler` (`slow-first-token`); the rest follow
 * it, in order: its end too (a failure never overtakes the held events). A failure before any event is not
 * held: there is no token to slow down, and an initial-token timeout must not replace its error.
 */
export const delayFirst = (real$: Observable<L0Event>, ms: number, scheduler: SchedulerLike): Observable<L0Event> =>
  own(real$).pipe(materialize(), concatMap((n, i) => (i > 0 || n.kind !== 'N' ? of(n) : timer(ms, scheduler).pipe(map(() => n)))), dematerialize());

const own = (real$: Observable<L0Event>) => real$.pipe(filter((e) => e.type !== 'start' && e.type !== 'resume'));
