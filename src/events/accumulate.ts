import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import type { L0Event, TokenEvent } from './eventTypes.js';
import { EVENT_TYPES } from '../sources/validateEvent.js';
import { INITIAL_L0_STATE, reduceL0State, withToken, type L0State } from './reduceState.js';
import { AttemptText } from '../attempt/attemptText.js';
import { serializeError } from '../errors/serializeError.js';
import { InvalidStreamError } from '../errors/InvalidStreamError.js';
import { checkBag, checkKeys, describeOption, optionError, optionKeys, optionPath } from '../internal/options.js';
import { Relay } from '../internal/relay.js';

export type { L0State, L0Status, ToolCall } from './reduceState.js';

export interface AccumulateConfig {
  /**
   * Fold a failure into a last state (`status: 'error'`, `error` set) and complete, instead of
   * erroring. Use it where an error notification is awkward, such as Angular's `toSignal`, which
   * throws the stream's error whenever the signal is read.
   * @default false (the error is re-emitted as an error notification)
   */
  readonly errorsAsState?: boolean;
}

const ACCUMULATE_KEYS = /*#__PURE__*/ optionKeys<AccumulateConfig>()(['errorsAsState']);
const ROOT = /*#__PURE__*/ optionPath('accumulate');

/**
 * Folds an event stream into {@link L0State} snapshots, one per event, applying the retraction rules.
 *
 *   --s-a-b-r--s-c-|         events (s start, a/b/c tokens, r retry)
 *   --x-y-z-w--v-u-|         accumulate()   (z.content 'ab', w.content '', u.content 'c')
 *
 * 1. `token` appends to `content` (O(delta): an append, never a rescan), `reasoning`, `tool-call`,
 *    `data` and `progress` update their fields.
 * 2. `retry` and `fallback` discard everything the current attempt produced (text, reasoning,
 *    tool calls, data, progress, violations) and set `status: 'retrying'`.
 * 3. `resume` sets `content` to exactly the checkpoint, and brings back the discarded violations
 *    whose `position` is inside it (the resumed attempt's guard does not check that text again).
 * 4. `start` sets `attempt`/`fallbackIndex` and `status: 'streaming'`; `complete` sets
 *    `status: 'complete'`, `finishReason` and `usage`.
 * 5. With `errorsAsState`, an error becomes one last state with `status: 'error'`, then completion.
 * 6. The fold keeps the text and the counts, not the states it emits: a state a consumer drops
 *    (a UI sampling every animation frame keeps one in dozens) dies young instead of being copied
 *    by the next garbage collection. So an event that changes nothing (`checkpoint`, `drift`)
 *    after tokens emits a new state equal to the last one, not the same object.
 * 7. A value that is not an L0 event (`undefined`, a string, an unknown `type`, a token without a
 *    string `value`) is an {@link InvalidStreamError} naming it, never a state with `undefined` in it.
 *    The check is one switch on `type`, not a deep check of every event.
 *
 * @example
 * import { toSignal } from '@angular/core/rxjs-interop';
 * import { accumulate, l0 } from 'l0-rx';
 * const state = toSignal(l0({ stream }).pipe(accumulate({ errorsAsState: true })));
 * @param config See {@link AccumulateConfig}.
 * @throws TypeError naming the option, for an unknown key or an `errorsAsState` that is not a boolean.
 */
export function accumulate(config: AccumulateConfig = {}): OperatorFunction<L0Event, L0State> {
  checkBag(ROOT, config);
  checkKeys(ROOT, config, ACCUMULATE_KEYS);
  const { errorsAsState = false } = config;
  if (typeof errorsAsState !== 'boolean') throw optionError(ROOT, 'errorsAsState', 'a boolean', errorsAsState);
  return (source) => new Observable<L0State>((subscriber) => source.subscribe(new Fold(subscriber, errorsAsState)));
}

/**
 * One subscription's fold, the source's subscriber itself (fan-in keeps one per open stream: a class
 * instead of `defer` + `scan` + their closures). Its text is an AttemptText, so `content` is the
 * same string as the attempt operators' texts upstream.
 */
class Fold extends Relay<L0Event, L0State> {
  /**
   * The state at the last event that was not a token; `content` and `tokenCount` are stale after
   * tokens (the text has them). Its lists are the fold's logs, appended to in place: never emitted.
   */
  private state: L0State = INITIAL_L0_STATE;
  /** Tokens came since `state` was built. */
  private stale = false;
  /** The last state emitted for an event that was not a token: the base of the tokens' states. */
  private views = INITIAL_L0_STATE;
  /** `views` reads a list through a getter (the tokens' states get its lists too, so none copies a list no one reads). */
  private lazy = false;
  /** Tokens whose states may still get the getters: the length of the lists when one last changed (their copy is then paid for). */
  private spare = 0;
  /** Per list: the length of its log when last shown, and the copy of that much of it once made (see {@link Fold.shown}). */
  private copies: Record<string, [number, unknown[]?]> = {};
  private readonly text = new AttemptText();

  constructor(
    out: Subscriber<L0State>,
    private readonly errorsAsState: boolean,
  ) {
    super(out);
  }

  next(event: L0Event): void {
    try {
      this.handle(event);
    } catch (thrown) {
      this.raise(thrown);
    }
  }

  private handle(event: L0Event): void {
    if (this.isStopped) return;
    let state: L0State;
    try {
      // a token first, checked as checkEvent would: the per-token path skips its call (too large to inline) and its switch
      if ((event as Partial<TokenEvent> | null | undefined)?.type === 'token' && typeof (event as TokenEvent).value === 'string') {
        this.text.observe(event);
        // a list no one read yet stays a getter for as many tokens as the lists hold, then is copied: a copy at
        // every token after a tool call was O(calls²), a getter on every token of a long answer several times its cost
        if (this.lazy && this.spare-- < 1) {
          this.views = { ...this.views };
          this.lazy = false;
        }
        // not kept: a consumer that drops it lets it die young, and fan-in's scavenges copy less
        state = withToken(this.lazy ? this.state : this.views, this.text.text, this.text.tokenCount);
        if (this.lazy) for (const key of LISTS) Object.defineProperty(state, key, Object.getOwnPropertyDescriptor(this.views, key)!);
        this.stale = true;
      } else {
        checkEvent(event); // throws for a token whose value is not a string
        const now = this.current(); // the text before the event: a reset reads what it retracts
        this.text.observe(event);
        this.state = reduceL0State(now, event);
        state = this.shown();
      }
    } catch (e) {
      return this.error(e);
    }
    this.out.next(state);
  }

  override error(error: unknown): void {
    if (this.isStopped) return;
    this.isStopped = true;
    if (!this.errorsAsState) return this.out.error(error);
    this.out.next({ ...this.shown(), status: 'error', error: serializeError(error) });
    this.out.complete();
  }

  /** The state with the text's `content` and `tokenCount`. */
  private current(): L0State {
    if (!this.stale) return this.state;
    this.stale = false;
    return (this.state = withToken(this.state, this.text.text, this.text.tokenCount));
  }

  /**
   * The current state with lists of its own, never the fold's logs. A list is the same array from
   * state to state until its log grows or a retraction replaces it (logs only grow in between, and
   * every event that changes one comes here, so its length tells): then a getter that copies that
   * much of the log at the first read (O(1) to emit, so a run of appends copies nothing), a copy
   * that every later state of that length shares. The tokens' states after it get the same getters
   * for as many tokens as the lists held when one last changed, then the copies are made (a copy at
   * the first token after each tool call was O(calls²); a getter on each token of a long answer cost
   * several times a token, so the other events between tokens, a checkpoint every 10, do not renew
   * the allowance). A copy made is set as a plain field: a defined one made every state 10 times slower to build.
   */
  private shown(): L0State {
    const now = this.current();
    this.lazy = false;
    const size = now.toolCalls.length + now.data.length + now.violations.length;
    // no list holds anything (each the frozen empty one): the state itself, no copy (a checkpoint every 10 tokens paid one)
    if (!size) return (this.copies = {}), (this.views = now);
    const s: Record<string, unknown> = { ...now };
    for (const key of LISTS) {
      const log = s[key] as unknown[];
      const n = log.length;
      let c = this.copies[key];
      if (c?.[0] !== n) {
        c = this.copies[key] = [n, n ? undefined : log];
        this.spare = size;
      }
      if (c[1]) s[key] = c[1];
      else Object.defineProperty(s, key, { get: () => (c[1] ??= log.slice(0, n)), enumerable: (this.lazy = true) });
    }
    return (this.views = s as unknown as L0State);
  }
}

const LISTS = ['toolCalls', 'data', 'violations'] as const;

/**
 * Checks that a value is an L0 event as far as {@link reduceL0State} reads it: a switch on `type`
 * that also checks the fields the reducer reads as strings or objects. Unknown types are the error.
 */
function checkEvent(event: L0Event): void {
  const e = event as unknown as Record<string, unknown> | null | undefined;
  switch (e?.type) {
    case 'token':
    case 'reasoning':
      if (typeof e.value !== 'string') throw notAnEvent(`a ${e.type} event whose value is ${describeOption(e.value)}`);
      return;
    case 'resume':
      if (typeof e.checkpoint !== 'string') throw notAnEvent(`a resume event whose checkpoint is ${describeOption(e.checkpoint)}`);
      return;
    case 'retry':
      if (typeof e.error !== 'object' || e.error === null) throw notAnEvent(`a retry event whose error is ${describeOption(e.error)}`);
      return;
    default:
      if (!EVENT_TYPES.has(e?.type)) {
        throw notAnEvent(
          typeof e === 'object' && e !== null && 'type' in e ? `an object with unknown type ${describeOption(e.type)}` : describeOption(e),
        );
      }
  }
}

function notAnEvent(what: string): InvalidStreamError {
  return new InvalidStreamError(
    `accumulate() expects L0 events (objects with a known \`type\`, such as { type: 'token', value: 'Hi' }), got ${what}`,
  );
}
