import { from, Observable, timeout, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { L0Event, ResultEvent } from '../events/eventTypes.js';
import { AttemptText } from '../attempt/attemptText.js';
import { subscribeChild } from '../attempt/attemptContext.js';
import { isSchemaValidationError, SchemaValidationError } from '../errors/SchemaValidationError.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { isLimitCut } from '../internal/limitCut.js';
import { ThinkingLead } from '../continuation/thinkingLead.js';
import { checkBag, checkKeys, isSchedulerLike, optionError, optionKeys, optionPath, type OptionPath } from '../internal/options.js';
import { MAX_TIMER_DELAY, TIMER_DELAY_LIMIT } from '../internal/timerDelay.js';
import { BareString, GREW, NOT } from './bareString.js';
import { PartialJsonParser } from './partialJson.js';
import { frozenCopy } from './partialJsonFrames.js';
import { parseAnswer, type TruncatedPolicy } from './parseAnswer.js';
import type { RepairJsonResult } from './repairJson.js';
import { checkSchema, validateSchema } from './validateSchema.js';
import type { DeepPartial, EventsOf, PartialOf } from './structuredEvent.js';

export type { TruncatedPolicy } from './parseAnswer.js';

/** Options of {@link parseStructured}; every field but `schema` is optional. */
export interface ParseStructuredConfig<S extends StandardSchemaV1 = StandardSchemaV1> {
  /** Any Standard Schema (Zod 3.24+ and 4, Valibot, ArkType, Effect Schema), or `jsonSchema(schema, ajv)`. */
  readonly schema: S;
  /** Emit `partial` events while the JSON streams. @default true */
  readonly partials?: boolean;
  /** Extract and repair malformed JSON; `false` accepts only an answer that is valid JSON as a whole. @default true */
  readonly autoCorrect?: boolean;
  /**
   * Cut JSON (repair closed an unfinished structure or string or completed a literal or number cut
   * short, `tr` or `1.`, bare or alone in a fence; or a `length` finish cut what followed closed JSON:
   * a bare number outside a fence, a scalar in a fence that never closed (the answer's or one after
   * it), an object or array that never closes, or that the cut stopped as it opened: `Sure! {`; or a
   * `length` finish before the answer began: all thinking, or no text): `retry` fails the
   * attempt with a retryable SchemaValidationError, `reject` with a non-retryable one, `accept`
   * validates the closed value and reports `truncated: true`. Without `autoCorrect` nothing is repaired: a cut answer is an `INVALID_JSON` like any other. @default 'retry'
   */
  readonly onTruncated?: TruncatedPolicy;
  /**
   * How long an async schema's `validate` may take, in ms ({@link MAX_TIMER_DELAY} at most), or
   * `Infinity` for no bound: one that has not settled by then fails the attempt with a retryable
   * SchemaValidationError saying so (a promise that never settles would hang the run). A schema
   * that validates synchronously is never timed. @default 5000 (the guard rules' `timeout`)
   */
  readonly validateTimeout?: number;
  /** The time source of `validateTimeout` (`structured()` passes its run's). @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/** Every key of {@link ParseStructuredConfig}. @internal */
export const PARSE_STRUCTURED_KEYS = /*#__PURE__*/ optionKeys<ParseStructuredConfig>()(['schema', 'partials', 'autoCorrect', 'onTruncated', 'validateTimeout', 'scheduler']);
const POLICIES: readonly TruncatedPolicy[] = ['retry', 'accept', 'reject'];

/** Validated, defaulted config. @internal */
export function resolveParseStructured<S extends StandardSchemaV1>(config: ParseStructuredConfig<S>, path: OptionPath = optionPath('parseStructured')) {
  checkBag(path, config);
  checkKeys(path, config, PARSE_STRUCTURED_KEYS);
  const schema = checkSchema(path, config.schema) as S;
  const { partials = true, autoCorrect = true, onTruncated = 'retry', validateTimeout = 5000, scheduler } = config;
  if (typeof partials !== 'boolean') throw optionError(path, 'partials', 'a boolean', partials);
  if (typeof autoCorrect !== 'boolean') throw optionError(path, 'autoCorrect', 'a boolean', autoCorrect);
  if (!POLICIES.includes(onTruncated)) throw optionError(path, 'onTruncated', `one of ${POLICIES.map((p) => `'${p}'`).join(', ')}`, onTruncated);
  if (typeof validateTimeout !== 'number' || !(validateTimeout >= 0) || (validateTimeout > MAX_TIMER_DELAY && validateTimeout !== Infinity)) {
    throw optionError(path, 'validateTimeout', `a number of ms from 0, ${TIMER_DELAY_LIMIT}, or Infinity`, validateTimeout);
  }
  if (scheduler !== undefined && !isSchedulerLike(scheduler)) throw optionError(path, 'scheduler', 'a SchedulerLike', scheduler);
  return { schema, partials, autoCorrect, onTruncated, validateTimeout, scheduler };
}

type Resolved<S extends StandardSchemaV1> = ReturnType<typeof resolveParseStructured<S>>;

/** The error for an async schema whose `validate` did not settle within `validateTimeout`. */
function validateTimedOut(ms: number, raw: string): SchemaValidationError {
  const message = `the schema's validate did not settle within ${ms} ms (validateTimeout)`;
  return new SchemaValidationError({ kind: 'SCHEMA_VALIDATION_FAILED', issues: [{ message, path: [] }], text: raw }, `Schema validation failed: ${message}`);
}

/** The `result` event for the parsed answer, or the SchemaValidationError that fails it. */
function finish<T>(o: Resolved<StandardSchemaV1<unknown, T>>, raw: string, parsed: RepairJsonResult): ResultEvent<T> | Promise<ResultEvent<T>> {
  const { corrected, corrections, truncated } = parsed;
  const make = (data: T): ResultEvent<T> => ({ type: 'result', data, corrected, corrections, truncated, raw });
  const data = validateSchema(o.schema, parsed.value, raw);
  return isPromiseLike(data) ? Promise.resolve(data).then(make) : make(data);
}

/**
 * Parses and validates the current attempt's JSON: `partial` events while it streams, then one
 * `result` right before `complete`, or a {@link SchemaValidationError} that fails the attempt. Put
 * it before `retryWithBackoff` (in `l0`'s `attemptOperators`) so a failure retries like any other.
 *
 *   -s-a---b-c---x---|       events (s start, a '{"n":', b '1', c '}', x complete)
 *   -s-(ap)b-(cq)(Rx)|       parseStructured({ schema })   (p partial {}, q partial {n: 1}, R result {data: {n: 1}})
 *
 * Partials are typed by the schema's input (the JSON before transforms), `result` by its output:
 * see `StructuredEvent`.
 *
 * 1. Each token goes to an incremental parser (O(delta)); a `partial` follows the token when the
 *    deep-partial value changed, so no two in a row are deep-equal (a closing quote or bracket
 *    adds none: the string was shown as it grew). An answer that is one JSON string (`"` first)
 *    shows its decoded prefix as it grows; a bare number or literal, or a scalar alone in a fence,
 *    shows when complete, at `complete` (its prefix is another number). A key written twice keeps
 *    its first value until the second is complete (the result keeps the last, as JSON.parse): a key's
 *    partials never step back. `start`, `retry`, `fallback` and `resume` start it over
 *    (a `resume` is followed at once by its checkpoint's `partial`, when it holds a value). The
 *    answer's first object shows from its first key (`{}`); a root that replaces a shown one (a
 *    JSON fence after JSON in prose) shows once it holds a value, so partials never step back to
 *    an empty `{}`. At `complete`, a root held back for what might follow it (`The ids are [2]`
 *    could have been a footnote mark) is settled: its `partial` comes right before `result`.
 * 2. Thinking at the head of the attempt's text (`<think>…</think>`, any of `THINKING_TAGS`) is never
 *    parsed, for partials or result: the answer after it is (none: an `INVALID_JSON`, cut JSON at a `length`
 *    finish); `raw` and an error's `info.text` keep it.
 *    At `complete`, only this attempt's text is parsed: as is when valid, else extracted from
 *    fences and prose and repaired with jsonrepair (`corrections` says what changed). A parsed
 *    value that is not the last partial's (repair made it: single quotes, a cut number closed)
 *    is sent as one more `partial` before validation, so the last partial holds the result's value.
 * 3. Cut JSON follows `onTruncated`; so does, after a `complete{finishReason: 'length'}`, JSON
 *    that closed but was cut all the same (a bare number outside a fence, a scalar in a fence that never
 *    closed, the answer's or one after it, or a root after it that never closes, after any closed ones:
 *    `Example {"a": 1}. Answer: {"a": `), and prose cut right after an opening bracket (`Sure! {`,
 *    `[tr`), closed as a bare one is. A scalar
 *    whose text shows the cut (`"hel`, `tr`, `1.`, a lone `-`) is cut at any finish, bare or in a fence (one that
 *    closed too when the scalar is a string: its "```" may be the string's); a whole one in a fence that
 *    never closed (`12`) at another finish is an `INVALID_JSON` saying so. The value is validated with the schema (async schemas too);
 *    `result` then `complete` are emitted; a failure errors with SchemaValidationError
 *    (`INVALID_JSON` or `SCHEMA_VALIDATION_FAILED` with `{message, path}` issues). A schema that
 *    throws or rejects fails validation the same way, with what it threw as the `cause`; an async
 *    one that has not settled after `validateTimeout` ms (default 5000) fails it with an issue
 *    saying so, instead of hanging the run. What the source sends meanwhile (a next answer,
 *    `concat(run1, run2)`, or an error) waits, and so does what it sends while an event is handled (a
 *    consumer feeding it from its handler), so each `result` comes right before its own `complete`.
 * 4. An attempt that called a tool and has no JSON in its text fails with a non-retryable
 *    `INVALID_JSON` naming the tools (`info.toolCalls`): read the call with parseToolArguments.
 * 5. Only a `complete` event ends an answer: a source that ends without one (never `fromStream` or
 *    `l0()`, which always end with `complete` or an error) ends with no `result`. The
 *    `complete{finishReason: 'length'}` of a `budget({onExceeded: 'complete'})` before it that cut
 *    the run is read as any `length` answer, but its text failing makes no error: it passes with no
 *    `result`, as when the budget sits after the retry loop (retried, no request would be sent).
 *
 * @example
 * import { z } from 'zod';
 * import { l0, parseStructured } from 'l0-rx';
 * l0({ stream, attemptOperators: [parseStructured({ schema: z.object({ name: z.string() }) })] });
 * @see {@link structured}
 * @param config See {@link ParseStructuredConfig}.
 */
export function parseStructured<S extends StandardSchemaV1>(
  config: ParseStructuredConfig<S>,
): OperatorFunction<L0Event, EventsOf<S>> {
  return parseResolved(resolveParseStructured(config));
}

/** {@link parseStructured} with a config already resolved (by structured()). @internal */
export function parseResolved<S extends StandardSchemaV1>(o: Resolved<S>): OperatorFunction<L0Event, EventsOf<S>> {
  type T = StandardSchemaV1.InferOutput<S>;
  type P = DeepPartial<PartialOf<S>>;
  return (source) =>
    new Observable<EventsOf<S>>((subscriber) => {
      const text = new AttemptText();
      /** The current attempt's tool calls, by name. */
      let tools: string[] = [];
      let parser = o.partials ? new PartialJsonParser() : undefined;
      /** While the answer may be one JSON string (its first character `"`): its prefix is shown, and the parser waits. */
      let bare = o.partials ? new BareString() : undefined;
      /** Reads the thinking blocks at the attempt's head (`<think>…</think>`) until the answer starts, at `skip`: neither is parsed. */
      let lead: ThinkingLead | undefined = new ThinkingLead();
      let skip = 0;
      const partial = (value: unknown) => subscriber.next({ type: 'partial', value: value as P });
      /** Feeds `delta` to the bare string while it may be the answer, else to the parser (all the text at once when the bare string turns out not to be). */
      const feed = (delta: string): void => {
        if (bare) {
          const found = bare.feed(delta);
          if (found === GREW) {
            parser!.showOutside(bare.value);
            return partial(bare.value);
          }
          if (found !== NOT) return;
          bare = undefined;
          delta = text.text.slice(skip);
        }
        if (parser?.feed(delta)) partial(parser.snapshot());
      };
      /**
       * What the source sends while an event is handled (a consumer feeding the source from its handler: the next answer's
       * `start` sent at a result) or an async validation is pending (the next answer, its end or error): replayed in order
       * once that is done, so a result stays right before its `complete` and an answer is read whole.
       */
      let queued: (() => void)[] | undefined;
      /** An async validation is pending; `next`: the first of `queued` not replayed yet. */
      let waiting = false;
      let next = 0;
      const replay = () => {
        waiting = false;
        const q = queued!;
        try {
          // stops at another answer's async validation (the rest waits for it), or at a replay this one's called and that took the rest
          while (queued === q && !waiting && next < q.length && !subscriber.closed) q[next++]!();
        } catch (err) {
          subscriber.error(err); // a malformed event fails the run, as the source's subscriber makes it
        }
        if (queued !== q) return;
        // what was replayed is let go (a source that keeps answering while one validates)
        if (waiting) q.splice(0, next);
        else queued = undefined;
        next = 0;
      };
      const complete = (e: L0Event, result: ResultEvent<T>) => {
        subscriber.next(result);
        subscriber.next(e as EventsOf<S>);
      };
      /*
       * The answer failed. The `complete` of a budget({onExceeded: 'complete'}) before this that cut the run passes with no
       * result, as when the budget sits after the loop: failed, its next attempt (left no token) was retried with no request sent.
       */
      const failed = (e: L0Event, err: unknown) => (isLimitCut(e) ? subscriber.next(e as EventsOf<S>) : subscriber.error(err));
      const onComplete = (e: L0Event) => {
        // the answer ended: a root held back for what might follow (`[2]`) is settled and shown before the result
        if (parser?.end()) subscriber.next({ type: 'partial', value: parser.snapshot() as P });
        let out: ResultEvent<T> | Promise<ResultEvent<T>>;
        try {
          // the answer after the thinking at its head: none while `lead` reads on (all thinking, white space, a tag's start)
          const parsed = parseAnswer(o, lead ? '' : text.text.slice(skip), tools, e.type === 'complete' ? e.finishReason : undefined);
          // what repair made (a cut number closed, single quotes, a fence the parser stopped in) is the last partial
          if (parser?.differs(parsed.value)) subscriber.next({ type: 'partial', value: frozenCopy(parsed.json, parsed.value) as P });
          if (subscriber.closed) return; // the consumer left at a partial: no validation (an async lookup) for nobody
          out = finish(o as Resolved<StandardSchemaV1<unknown, T>>, text.text, parsed);
        } catch (err) {
          // its text is the whole text, thinking and all, as `raw` and a schema's failure's are
          return failed(e, isSchemaValidationError(err) && err.info.text !== text.text ? new SchemaValidationError({ ...err.info, text: text.text }, err.message, err.cause) : err);
        }
        if (!isPromiseLike(out)) return complete(e, out);
        waiting = true;
        queued ??= [];
        const raw = text.text;
        const settled = from(out);
        // Infinity: no bound (never handed to a timer, which would fire it at once)
        const bounded = o.validateTimeout === Infinity ? settled : settled.pipe(timeout({
          first: o.validateTimeout,
          ...(o.scheduler === undefined ? {} : { scheduler: o.scheduler }),
          with: () => { throw validateTimedOut(o.validateTimeout, raw); },
        }));
        subscriber.add(bounded.subscribe({
          next: (result) => {
            complete(e, result);
            replay();
          },
          error: (err: unknown) => {
            failed(e, err);
            replay();
          },
        }));
      };
      const onEvent = (e: L0Event) => {
        const change = text.observe(e);
        if (change === 'token') {
          subscriber.next(e as EventsOf<S>);
          let delta = e.type === 'token' ? e.value : '';
          if (lead) {
            // the head's thinking is never parsed: the parser starts with the answer's first characters
            if ((skip = lead.feed(delta)) < 0) return;
            lead = undefined;
            delta = text.text.slice(skip);
          }
          if (parser) feed(delta);
          return;
        }
        let resumed = false;
        if (change !== undefined) {
          if (tools.length > 0) tools = [];
          if (parser) {
            parser = new PartialJsonParser();
            bare = new BareString();
          }
          lead = new ThinkingLead();
          // a checkpoint's thinking at its head is read as a token's
          skip = change === 'resume' ? lead.feed(text.text) : -1;
          if (skip >= 0) lead = undefined;
          if (skip >= 0 && parser) {
            // a checkpoint that is a bare string's start shows its prefix; else the parser reads it
            const answer = text.text.slice(skip);
            const found = bare!.feed(answer);
            if (found === NOT) bare = undefined;
            resumed = found === NOT ? parser.feed(answer) : found === GREW;
            if (bare && resumed) parser.showOutside(bare.value);
          }
        }
        if (e.type === 'tool-call') tools.push(e.name);
        if (e.type === 'complete') onComplete(e);
        else subscriber.next(e as EventsOf<S>);
        // a resumed attempt shows its checkpoint's value at once, not at its first token
        if (resumed) partial(bare ? bare.value : parser!.snapshot());
      };
      /** An event is being handled: what the source sends meanwhile waits in `queued` (no closure per token otherwise). */
      let busy = false;
      const handle = (e: L0Event | undefined, f?: () => void) => {
        if (queued || busy) return void (queued ??= []).push(f ?? (() => onEvent(e!)));
        busy = true;
        try {
          if (f) f();
          else onEvent(e!);
        } finally {
          busy = false;
        }
        if (queued && !waiting) replay();
      };
      // the source's subscriber is the consumer's child: a synchronous source stops as soon as the consumer leaves
      return subscribeChild(source, {
        next: (e) => handle(e),
        error: (err: unknown) => handle(undefined, () => subscriber.error(err)),
        complete: () => handle(undefined, () => subscriber.complete()),
      }, subscriber);
    });
}
