import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { attemptTextChange } from '../attempt/attemptText.js';
import { subscribeChild } from '../attempt/attemptContext.js';
import { checkBag, checkKeys, optionError, optionKeys, optionPath } from '../internal/options.js';
import { THINKING_TAGS } from './stripThinking.js';

/** Options of {@link splitThinking}. */
export interface SplitThinkingConfig {
  /** Each attempt starts inside a thinking block (for templates that open `<think>` for the model). @default false */
  readonly startInside?: boolean;
}

const KEYS = /*#__PURE__*/ optionKeys<SplitThinkingConfig>()(['startInside']);
const PATH = /*#__PURE__*/ optionPath('splitThinking');
const OPENING = /*#__PURE__*/ THINKING_TAGS.map((t) => `<${t}>`);
const CLOSING = /*#__PURE__*/ THINKING_TAGS.map((t) => `</${t}>`);
const SPACE_CHAR = /\s/;
const MAX_TAG = /*#__PURE__*/ Math.max(.../*#__PURE__*/ OPENING.map((t) => t.length + 1));

/** Whether `s` could still grow into one of `tags` (case-insensitive); `s` starts with '<'. */
function couldBe(s: string, tags: readonly string[]): boolean {
  const lower = s.toLowerCase();
  return tags.some((t) => t.startsWith(lower));
}

/**
 * Moves thinking blocks out of the text while streaming: what is inside `<think>…</think>` (and
 * the variants in {@link THINKING_TAGS}) becomes `reasoning` events, the rest stays `token`s, and
 * the tags themselves disappear. A tag split across tokens is recognised (only the few characters
 * that could start a tag are held back, so the work per token is O(delta)).
 *
 *   -a-b-c-x|     tokens (a '<think>hm', b '</think>', c 'Paris', x complete)
 *   -r---c-x|     splitThinking()   (r reasoning 'hm')
 *
 * State is per subscription and starts over on `start`, `retry`, `fallback` and `resume`. Held
 * characters are flushed as what they are in (text, or reasoning inside a block: a block never
 * closed ends as reasoning) before `complete`, at the source's end and before its error: they were
 * sent, so the text that comes with a failure (`accumulate({ errorsAsState: true })`'s last state)
 * is all of it, and a later `retry` retracts them with the rest of the attempt. Whitespace right
 * after a block goes with it, unless the text before the block ends in a non-space (a resumed
 * "Hello world" + "<think>…</think> and more"). A `resume{checkpoint}` (continuation) is split too:
 * it passes on with the visible part of the checkpoint, followed by a `reasoning` event with its thinking, and the split goes on
 * from where the checkpoint ends, so thinking never becomes content. `checkpoint` events pass
 * through as they are (the raw text a retry resumes from).
 *
 * @example
 * import { l0, splitThinking, accumulate } from 'l0-rx';
 * l0({ stream }).pipe(splitThinking(), accumulate()).subscribe((s) => render(s.content, s.reasoning));
 * @param config See {@link SplitThinkingConfig}.
 */
export function splitThinking(config: SplitThinkingConfig = {}): MonoTypeOperatorFunction<L0Event> {
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { startInside = false } = config;
  if (typeof startInside !== 'boolean') throw optionError(PATH, 'startInside', 'a boolean', startInside);
  return (source) =>
    new Observable<L0Event>((subscriber) => {
      const emit = (value: string, asReasoning: boolean) => subscriber.next({ type: asReasoning ? 'reasoning' : 'token', value });
      let split = new Splitter(startInside);
      // the source's subscriber is the consumer's child: a synchronous source stops as soon as the consumer leaves
      return subscribeChild(source, {
        next(e) {
          const change = attemptTextChange(e);
          if (change === 'token' && e.type === 'token') return split.feed(e.value, emit);
          if (change !== undefined) split = new Splitter(startInside);
          if (e.type === 'resume') {
            // the checkpoint is the raw text: its thinking is reasoning, its visible part the content,
            // and the split goes on from where the checkpoint ends (inside a block, or in a tag)
            let visible = '';
            let reasoning = '';
            split.feed(e.checkpoint, (value, asReasoning) => (asReasoning ? (reasoning += value) : (visible += value)));
            subscriber.next(visible === e.checkpoint ? e : { type: 'resume', checkpoint: visible });
            if (reasoning !== '') emit(reasoning, true);
            return;
          }
          if (e.type === 'complete') split.flush(emit);
          subscriber.next(e);
        },
        error: (err: unknown) => {
          split.flush(emit);
          subscriber.error(err);
        },
        complete: () => {
          split.flush(emit);
          subscriber.complete();
        },
      }, subscriber);
    });
}

/** One attempt's split: whether it is inside a block, and the characters held back that may start a tag. */
class Splitter {
  private closing = '';
  private held = '';
  private skipSpace = false;
  /** No text yet, or it ends in whitespace: whitespace right after a block is then dropped, not doubled. */
  private atLineStart = true;
  /** The chunk's output not handed on yet, all of one kind (reasoning when `pendingInside`): one event per run of a kind. */
  private pending = '';
  private pendingInside = false;

  constructor(private inside: boolean) {}

  /**
   * Splits `chunk` into text and thinking, handing `emit` one piece per run of one kind (O(chunk), plus a held
   * tag): a `<` that starts no tag stays in its token ("a < b" is one token, not three that count as three).
   */
  feed(chunk: string, emit: (value: string, asReasoning: boolean) => void): void {
    this.scan(chunk, emit);
    this.drain(emit);
  }

  private scan(chunk: string, emit: (value: string, asReasoning: boolean) => void): void {
    let s = this.held + chunk;
    this.held = '';
    while (s !== '') {
      const lt = s.indexOf('<');
      if (lt === -1) return this.out(s, emit);
      this.out(s.slice(0, lt), emit);
      s = s.slice(lt);
      const tags = this.inside ? (this.closing === '' ? CLOSING : [this.closing]) : OPENING;
      const lower = s.slice(0, MAX_TAG).toLowerCase();
      const tag = tags.find((t) => lower.startsWith(t));
      if (tag !== undefined) {
        this.inside = !this.inside;
        this.closing = this.inside ? `</${tag.slice(1)}` : '';
        // after a block, its separating whitespace goes with it, unless the text before needs it
        // (a resumed checkpoint "Hello world" + "<think>…</think> and more")
        this.skipSpace = !this.inside && this.atLineStart;
        s = s.slice(tag.length);
      } else if (s.length < MAX_TAG && couldBe(s, tags)) {
        this.held = s;
        return;
      } else {
        this.out('<', emit);
        s = s.slice(1);
      }
    }
  }

  /** The held characters, as what they are part of: the text ends here. */
  flush(emit: (value: string, asReasoning: boolean) => void): void {
    const { held } = this;
    this.held = '';
    if (held !== '') this.out(held, emit);
    this.drain(emit);
  }

  private drain(emit: (value: string, asReasoning: boolean) => void): void {
    const { pending } = this;
    this.pending = '';
    if (pending !== '') emit(pending, this.pendingInside);
  }

  private out(value: string, emit: (value: string, asReasoning: boolean) => void): void {
    if (!this.inside && this.skipSpace) {
      value = value.replace(/^\s+/, '');
      if (value !== '') this.skipSpace = false;
    }
    if (value === '') return;
    if (!this.inside) this.atLineStart = SPACE_CHAR.test(value[value.length - 1]!);
    if (this.pendingInside !== this.inside) this.drain(emit);
    this.pending += value;
    this.pendingInside = this.inside;
  }
}
