import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { attemptTextChange } from '../attempt/attemptText.js';
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
 * State is per subscription and starts over on `start`, `retry`, `fallback` and `resume`; held
 * characters are flushed before `complete` (a block never closed ends as reasoning).
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
      let inside = startInside;
      let closing = '';
      let held = '';
      let skipSpace = false;
      const out = (value: string, asReasoning: boolean) => {
        if (!asReasoning && skipSpace) {
          value = value.replace(/^\s+/, '');
          if (value !== '') skipSpace = false;
        }
        if (value !== '') subscriber.next({ type: asReasoning ? 'reasoning' : 'token', value });
      };
      const feed = (chunk: string) => {
        let s = held + chunk;
        held = '';
        while (s !== '') {
          const lt = s.indexOf('<');
          if (lt === -1) return out(s, inside);
          out(s.slice(0, lt), inside);
          s = s.slice(lt);
          const tags = inside ? (closing === '' ? THINKING_TAGS.map((t) => `</${t}>`) : [closing]) : OPENING;
          const lower = s.slice(0, MAX_TAG).toLowerCase();
          const tag = tags.find((t) => lower.startsWith(t));
          if (tag !== undefined) {
            inside = !inside;
            closing = inside ? `</${tag.slice(1)}` : '';
            skipSpace = !inside;
            s = s.slice(tag.length);
          } else if (s.length < MAX_TAG && couldBe(s, tags)) {
            held = s;
            return;
          } else {
            out('<', inside);
            s = s.slice(1);
          }
        }
      };
      const reset = () => {
        inside = startInside;
        closing = '';
        held = '';
        skipSpace = false;
      };
      return source.subscribe({
        next(e) {
          const change = attemptTextChange(e);
          if (change === 'token' && e.type === 'token') return feed(e.value);
          if (change !== undefined) reset();
          if (e.type === 'complete' && held !== '') {
            out(held, inside);
            held = '';
          }
          subscriber.next(e);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
