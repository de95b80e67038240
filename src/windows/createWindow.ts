import { defer, tap, type Observable } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { INITIAL_L0_STATE, reduceL0State, type L0State } from '../events/reduceState.js';
import { checkBag, checkKeys, CONCURRENCY, describeOption, isConcurrency, optionError, optionKeys, optionPath } from '../internal/options.js';
import { runAll, type ParallelResult } from '../multi/runAll.js';
import { chunkSpans, type WindowStrategy } from './chunking.js';
import { joinResults } from './mergeText.js';
import { resolveWindow } from './resolveWindow.js';

export type { WindowStrategy } from './chunking.js';

/** One window of the document: exactly `document.slice(startPos, endPos)`. */
export interface DocumentChunk {
  readonly index: number;
  readonly content: string;
  readonly startPos: number;
  readonly endPos: number;
  readonly tokenCount: number;
  readonly charCount: number;
  readonly isFirst: boolean;
  readonly isLast: boolean;
  readonly totalChunks: number;
}

/** Options of {@link createWindow}. */
export interface CreateWindowConfig {
  /** Window size: characters for `char`, tokens (by `estimateTokens`) otherwise. @default 2000 */
  readonly size?: number;
  /**
   * How much each window repeats of the previous one, in the same unit (whole words, sentences or
   * paragraphs); below `size`. @default 200, or a tenth of `size` (rounded down) when that is less
   */
  readonly overlap?: number;
  /** `token`: whole words; `char`: fixed characters; `paragraph`/`sentence`: whole ones, split by words when too big. @default 'token' */
  readonly strategy?: WindowStrategy;
  /** Token count of a piece of text, used by every strategy but `char`: a finite number >= 0 (anything else throws a TypeError naming it). @default (text) => Math.ceil(text.length / 4) */
  readonly estimateTokens?: (text: string) => number;
}

/** What a window's processor is given besides its chunk. */
export interface WindowContext {
  /**
   * `processSequential` with `carry`: what `carry` returned for the last chunk that succeeded before
   * this one (the previous chunk, unless it failed). Undefined before any chunk succeeded and in `processAll`.
   */
  readonly context: string | undefined;
  /**
   * The index of the chunk `context` was carried from: `chunk.index - 1`, or less when the chunks
   * between failed (they carry nothing). Undefined when `context` is.
   */
  readonly contextFrom?: number;
}

export type ChunkProcessor = (chunk: DocumentChunk, ctx: WindowContext) => Observable<L0Event>;

/** A document cut into windows, with a cursor and processing helpers. */
export interface DocumentWindow {
  readonly chunks: readonly DocumentChunk[];
  readonly totalChunks: number;
  readonly currentIndex: number;
  get(index: number): DocumentChunk | null;
  current(): DocumentChunk | null;
  next(): DocumentChunk | null;
  prev(): DocumentChunk | null;
  jump(index: number): DocumentChunk | null;
  reset(): DocumentChunk | null;
  hasNext(): boolean;
  hasPrev(): boolean;
  getStats(): { totalChunks: number; totalChars: number; totalTokens: number; avgChunkSize: number; overlapSize: number; strategy: WindowStrategy };
  /** Runs `fn` on every chunk, at most `concurrency` at once; `parallel`'s snapshots, results in chunk order. */
  processAll(fn: ChunkProcessor, options?: { readonly concurrency?: number }): Observable<ParallelResult>;
  /**
   * Runs chunk after chunk, on past a failed one; with `carry`, its value for each chunk that succeeded
   * reaches the next chunks' processor as `ctx.context` (`ctx.contextFrom` says which chunk it came from).
   */
  processSequential(fn: ChunkProcessor, options?: { readonly carry?: (state: L0State, chunk: DocumentChunk) => string }): Observable<ParallelResult>;
  /**
   * The successful results' text joined in chunk order (failed chunks skipped). A string is the
   * separator; with `removeOverlap`, a result that starts by repeating the end of the one before
   * (what overlapping windows cause) has that repetition dropped.
   */
  mergeResults(result: ParallelResult, options?: string | MergeResultsOptions): string;
  /** The document around chunk `index`: from `before` chunks before it to `after` chunks after, as one exact slice (no overlap repeated). Null for an index out of range. */
  getContext(index: number, options?: { readonly before?: number; readonly after?: number }): string | null;
  /** The chunks whose content contains `text` (case-insensitive unless `caseSensitive`). */
  findChunks(text: string, options?: { readonly caseSensitive?: boolean }): DocumentChunk[];
  /** The chunks that overlap the document range [`startPos`, `endPos`); for an empty range (`startPos === endPos`), the chunks that hold the character at `startPos`. */
  getChunksInRange(startPos: number, endPos: number): DocumentChunk[];
}

/** Options of {@link DocumentWindow.mergeResults}. */
export interface MergeResultsOptions {
  /** Between two results. @default '\n\n' */
  readonly separator?: string;
  /** Drop a result's start when it repeats the previous result's end (the two then meet with no separator). @default false */
  readonly removeOverlap?: boolean;
  /** The shortest repetition removed, in characters, so a common word is never taken for overlap. @default 20 */
  readonly minOverlap?: number;
  /** The longest repetition looked for, in characters: at least `minOverlap`. @default 4000 (or `minOverlap`, if larger) */
  readonly maxOverlap?: number;
}

/** L0's window presets: pass one as the config (`createWindow(doc, mediumWindow)`) or spread it with changes. */
export const smallWindow: Readonly<CreateWindowConfig> = /*#__PURE__*/ Object.freeze({ size: 1000, overlap: 100, strategy: 'token' });
/** 2000 tokens, 200 overlap, whole words: the defaults. @see {@link smallWindow} */
export const mediumWindow: Readonly<CreateWindowConfig> = /*#__PURE__*/ Object.freeze({ size: 2000, overlap: 200, strategy: 'token' });
/** 4000 tokens, 400 overlap, whole words. @see {@link smallWindow} */
export const largeWindow: Readonly<CreateWindowConfig> = /*#__PURE__*/ Object.freeze({ size: 4000, overlap: 400, strategy: 'token' });
/** 2000 tokens of whole paragraphs, 200 overlap. @see {@link smallWindow} */
export const paragraphWindow: Readonly<CreateWindowConfig> = /*#__PURE__*/ Object.freeze({ size: 2000, overlap: 200, strategy: 'paragraph' });
/** 1500 tokens of whole sentences, 150 overlap. @see {@link smallWindow} */
export const sentenceWindow: Readonly<CreateWindowConfig> = /*#__PURE__*/ Object.freeze({ size: 1500, overlap: 150, strategy: 'sentence' });

const MERGE_KEYS = /*#__PURE__*/ optionKeys<MergeResultsOptions>()(['separator', 'removeOverlap', 'minOverlap', 'maxOverlap']);
const MERGE_PATH = /*#__PURE__*/ optionPath('mergeResults', 'result, ');
const CONTEXT_PATH = /*#__PURE__*/ optionPath('getContext', 'index, ');
const FIND_PATH = /*#__PURE__*/ optionPath('findChunks', 'text, ');
const PROCESS_ALL_PATH = /*#__PURE__*/ optionPath('processAll', 'fn, ', 'options');
const SEQUENTIAL_PATH = /*#__PURE__*/ optionPath('processSequential', 'fn, ', 'options');

/**
 * Cuts a document into overlapping windows for models whose context it does not fit, and
 * processes them with a concurrency limit that holds.
 *
 *   |----- 0 -----|                     createWindow(doc, { strategy: 'char', size: 15, overlap: 5 })
 *             |----- 1 -----|
 *                       |--- 2 ---|
 *
 * 1. Chunks are exact slices (`document.slice(startPos, endPos)`), so positions are never
 *    recovered by searching; `token`, `paragraph` and `sentence` pack whole pieces while their
 *    `estimateTokens` counts add up to at most `size` (the default's, unrounded: a window is
 *    filled to `size` by it), and the next window starts with the trailing pieces
 *    that fit `overlap` and leave room for a new piece, so every window reaches further than the
 *    one before. A piece larger than `size` is split by words, and a word larger than `size` (a text
 *    without spaces: Chinese, Japanese) by length into equal pieces of at most `overlap` and `size - overlap`
 *    tokens that fill `size`, so its windows overlap too.
 *    No cut ever falls inside a character: a surrogate pair, a `\r\n`, a letter and its combining
 *    marks, an emoji and its skin tone, emoji joined by a zero-width joiner, a flag's two letters (an
 *    emoji stays whole, in `char` windows too);
 *    paragraphs end at a blank line, `\n` or `\r\n`.
 * 2. Sentences end at `.`, `!`, `?` followed by space (closing quotes and brackets, `”`, `“`, `»`
 *    too, may come between) and at `。！？` (and the closing brackets after them), whatever comes next, except
 *    after common abbreviations (Dr., e.g., et al., approx.; "no." only where no capitalised word follows:
 *    "I said no. Then" ends one, "No. 5" and "no. then" do not). An empty document has no chunks.
 * 3. `processAll(fn, {concurrency})` subscribes at most `concurrency` chunk runs at once
 *    (default 5) and emits `parallel`'s progress snapshots; `processSequential(fn, {carry})` runs
 *    in order and hands `carry(previousState, previousChunk)` to the next chunk's `fn` as
 *    `ctx.context`, so context really reaches the next prompt. A chunk that fails (its error and
 *    status in the snapshots) does not stop the run and carries nothing, nor does one whose `carry`
 *    throws (it fails with that error): the chunks after it get the last carry there is, from the
 *    last chunk that succeeded, and `ctx.contextFrom` (that chunk's index, below `chunk.index - 1`
 *    after a failure) shows the gap. Carries are per subscription.
 * 4. `getContext(i, {before, after})` is the exact document slice around a chunk (neighbours
 *    included, overlap never repeated); `findChunks(text)` and `getChunksInRange(start, end)`
 *    (the chunks overlapping `[start, end)`; `getChunksInRange(p, p)`: the chunks holding position
 *    `p`) look chunks up; `mergeResults(result, {removeOverlap: true})` drops a result's start that
 *    repeats the previous result's end (at least `minOverlap` characters, found in linear time).
 *    Presets: `smallWindow`, `mediumWindow`, `largeWindow`, `paragraphWindow`, `sentenceWindow`.
 *
 * @example
 * import { last } from 'rxjs';
 * import { createWindow, fromStream, type StreamFactory } from 'l0-rx';
 * declare const longText: string;
 * declare function summarise(text: string): StreamFactory;
 * const w = createWindow(longText, { size: 1_000, overlap: 100, strategy: 'paragraph' });
 * w.processAll((chunk) => fromStream(summarise(chunk.content)), { concurrency: 2 })
 *   .pipe(last()).subscribe((r) => console.log(w.mergeResults(r, { removeOverlap: true })));
 * @param document The text.
 * @param config See {@link CreateWindowConfig}.
 */
export function createWindow(document: string, config: CreateWindowConfig = {}): DocumentWindow {
  if (typeof document !== 'string') throw new TypeError(`createWindow(document): document must be a string, got ${typeof document}`);
  const { size, overlap, strategy, estimateTokens, pieceTokens } = resolveWindow(config);
  const spans = chunkSpans(document, strategy, size, overlap, pieceTokens);
  const chunks: readonly DocumentChunk[] = Object.freeze(
    spans.map((s, index) => {
      const content = document.slice(s.start, s.end);
      return Object.freeze({
        index, content, startPos: s.start, endPos: s.end, tokenCount: estimateTokens(content), charCount: content.length,
        isFirst: index === 0, isLast: index === spans.length - 1, totalChunks: spans.length,
      });
    }),
  );
  let cursor = 0;
  const get = (i: number) => (Number.isInteger(i) && i >= 0 && i < chunks.length ? chunks[i]! : null);
  const move = (i: number) => {
    const c = get(i);
    if (c) cursor = i;
    return c;
  };
  return {
    chunks,
    totalChunks: chunks.length,
    get currentIndex() {
      return cursor;
    },
    get,
    current: () => get(cursor),
    next: () => move(cursor + 1),
    prev: () => move(cursor - 1),
    jump: move,
    reset: () => move(0),
    hasNext: () => cursor + 1 < chunks.length,
    hasPrev: () => cursor > 0,
    getStats: () => {
      const totalTokens = chunks.reduce((s, c) => s + c.tokenCount, 0);
      const avgChunkSize = chunks.length === 0 ? 0 : chunks.reduce((s, c) => s + c.charCount, 0) / chunks.length;
      return { totalChunks: chunks.length, totalChars: document.length, totalTokens, avgChunkSize, overlapSize: overlap, strategy };
    },
    processAll: (fn, options = {}) => {
      checkBag(PROCESS_ALL_PATH, options);
      checkKeys(PROCESS_ALL_PATH, options, ['concurrency']);
      if (typeof fn !== 'function') throw new TypeError(`processAll(fn): fn must be a function, got ${typeof fn}`);
      const { concurrency = 5 } = options;
      if (!isConcurrency(concurrency)) throw optionError(PROCESS_ALL_PATH, 'concurrency', CONCURRENCY, concurrency);
      return runAll(chunks.map((c) => defer(() => fn(c, { context: undefined }))), { concurrency, failFast: false });
    },
    processSequential: (fn, options = {}) => {
      checkBag(SEQUENTIAL_PATH, options);
      checkKeys(SEQUENTIAL_PATH, options, ['carry']);
      if (typeof fn !== 'function') throw new TypeError(`processSequential(fn): fn must be a function, got ${typeof fn}`);
      const { carry } = options;
      if (carry !== undefined && typeof carry !== 'function') throw optionError(SEQUENTIAL_PATH, 'carry', 'a function', carry);
      return defer(() => {
        // per subscription: the last chunk that succeeded's carry; a failed chunk leaves it as it was
        let carried: WindowContext = { context: undefined };
        const sources = chunks.map((c) =>
          defer(() => {
            let state = INITIAL_L0_STATE;
            return fn(c, { ...carried }).pipe(
              tap({
                next: (e) => (state = reduceL0State(state, e)),
                // a carry that throws fails this chunk, with its error
                complete: () => {
                  if (carry) carried = { context: carry(state, c), contextFrom: c.index };
                },
              }),
            );
          }),
        );
        return runAll(sources, { concurrency: 1, failFast: false });
      });
    },
    mergeResults: (result, options = {}) => {
      if (!Array.isArray(result?.results) || !Array.isArray(result.statuses)) {
        throw new TypeError(`mergeResults(result): result must be a ParallelResult (processAll's or processSequential's), got ${describeOption(result)}`);
      }
      const o = resolveMerge(typeof options === 'string' ? { separator: options } : options);
      const texts = result.results.flatMap((s, i) => (s && result.statuses[i] === 'success' ? [s.content] : []));
      return joinResults(texts, o.separator, o.removeOverlap ? o.minOverlap : 0, o.maxOverlap);
    },
    getContext: (index, options = {}) => {
      checkBag(CONTEXT_PATH, options);
      checkKeys(CONTEXT_PATH, options, ['before', 'after']);
      const { before = 1, after = 1 } = options;
      for (const [key, v] of [['before', before], ['after', after]] as const) {
        if (!Number.isInteger(v) || v < 0) throw optionError(CONTEXT_PATH, key, 'an integer >= 0', v);
      }
      const at = get(index);
      if (!at) return null;
      const first = chunks[Math.max(0, index - before)]!;
      const last = chunks[Math.min(chunks.length - 1, index + after)]!;
      return document.slice(first.startPos, last.endPos);
    },
    findChunks: (text, options = {}) => {
      if (typeof text !== 'string') throw new TypeError(`findChunks(text): text must be a string, got ${typeof text}`);
      checkBag(FIND_PATH, options);
      checkKeys(FIND_PATH, options, ['caseSensitive']);
      const { caseSensitive = false } = options;
      if (typeof caseSensitive !== 'boolean') throw optionError(FIND_PATH, 'caseSensitive', 'a boolean', caseSensitive);
      const needle = caseSensitive ? text : text.toLowerCase();
      return chunks.filter((c) => (caseSensitive ? c.content : c.content.toLowerCase()).includes(needle));
    },
    getChunksInRange: (startPos, endPos) => {
      if (typeof startPos !== 'number' || typeof endPos !== 'number' || !(startPos <= endPos)) {
        throw new TypeError(`getChunksInRange(startPos, endPos): two numbers with startPos <= endPos, got ${String(startPos)} and ${String(endPos)}`);
      }
      // an empty range [p, p) asks for position p: the chunks that hold its character
      const empty = startPos === endPos;
      return chunks.filter((c) => (empty ? c.startPos <= startPos : c.startPos < endPos) && c.endPos > startPos);
    },
  };
}

function resolveMerge(options: MergeResultsOptions) {
  checkBag(MERGE_PATH, options);
  checkKeys(MERGE_PATH, options, MERGE_KEYS);
  const { separator = '\n\n', removeOverlap = false, minOverlap = 20 } = options;
  if (typeof separator !== 'string') throw optionError(MERGE_PATH, 'separator', 'a string', separator);
  if (typeof removeOverlap !== 'boolean') throw optionError(MERGE_PATH, 'removeOverlap', 'a boolean', removeOverlap);
  if (!Number.isInteger(minOverlap) || minOverlap < 1) throw optionError(MERGE_PATH, 'minOverlap', 'an integer >= 1', minOverlap);
  // a minOverlap given alone never contradicts the default maxOverlap
  const { maxOverlap = Math.max(4000, minOverlap) } = options;
  if (!Number.isInteger(maxOverlap) || maxOverlap < minOverlap) throw optionError(MERGE_PATH, 'maxOverlap', `an integer >= minOverlap (${minOverlap})`, maxOverlap);
  return { separator, removeOverlap, minOverlap, maxOverlap };
}
