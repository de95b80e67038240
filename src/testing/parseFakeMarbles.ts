/**
 * The marble form of a fake model script: `'ab-c|'`, `'a--#'`, `'(ab)-c'`, `'a 10ms b|'`.
 * Timing follows rxjs's own marble syntax (run mode), so a fake's marble lines up with `cold()` and
 * `expectObservable(...).toBe()` marbles.
 */
import { describeOption, isPlainRecord } from '../internal/options.js';
import type { FinishReason, Usage } from '../events/eventTypes.js';
import type { FakeErrorSpec } from './fakeError.js';
import { compileItem, completeEvent, errorStep, pushEvent, pushWait, type FakeItem, type FakeStep } from './fakeScript.js';

/** What a marble string's letters, `#` and `|` stand for. */
export interface FakeMarbleValues {
  /**
   * Per-character replacements, a record or a `Map`: `{a: 'Hello '}`, `{t: {toolCall: {...}}}` or
   * `new Map([['a', 'Hello ']])`. @default each character is itself a token
   */
  readonly values?: Readonly<Record<string, FakeItem>> | ReadonlyMap<string, FakeItem>;
  /** What `#` throws. @default `{network: 'ECONNRESET'}` (a retryable `read ECONNRESET` error with `code`) */
  readonly error?: FakeErrorSpec;
  /** The finish reason `|` reports. @default 'stop' */
  readonly finishReason?: FinishReason;
  /** The usage `|` reports. @default undefined */
  readonly usage?: Usage;
}

const TOKEN_CHAR = /^[A-Za-z0-9]$/;
/**
 * rxjs's time progression: `10ms`, `1.5s`, `2m`, then a space (sticky: matched at `lastIndex`). As in
 * rxjs, one at the very end is not a progression: `cold('a 2m')` emits `a`, `2`, `m`, and so does the fake.
 */
const TIME_PROGRESSION = /(\d+(?:\.\d+)?)(ms|s|m)(?= )/y;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** The time progression starting at `i` (at the start or after a space, as rxjs reads one): its length and ms. */
function timeProgressionAt(marbles: string, i: number): { readonly text: string; readonly ms: number } | undefined {
  if (i > 0 && marbles[i - 1] !== ' ') return undefined;
  TIME_PROGRESSION.lastIndex = i;
  const m = TIME_PROGRESSION.exec(marbles);
  return m ? { text: m[0], ms: Number(m[1]) * UNIT_MS[m[2]!]! } : undefined;
}
const DEFAULT_ERROR: FakeErrorSpec = { network: 'ECONNRESET' };

/** The item `values` gives for marble character `c`, from a record or a `Map`. */
function valueFor(values: FakeMarbleValues['values'], c: string): FakeItem | undefined {
  return values instanceof Map ? values.get(c) : (values as Readonly<Record<string, FakeItem>> | undefined)?.[c];
}

/** A character for an error message: quoted, with its code point when it is not printable ASCII (`'é' (U+00E9)`). */
function quoteChar(c: string): string {
  const code = c.codePointAt(0)!;
  return code >= 0x20 && code < 0x7f ? `'${c}'` : `'${c}' (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}

/**
 * @internal Validates `options.values` eagerly: every key is one letter or digit and every value a
 * usable item (not a delay). Throws a TypeError naming the key.
 */
export function checkMarbleValues(values: unknown, where: string): void {
  if (values === undefined) return;
  // a Set, an array or a class instance has no entries Object.entries reads: refused, never silently empty
  if (!(values instanceof Map) && !isPlainRecord(values)) {
    throw new TypeError(`${where} must be a record or a Map of marble characters to items, got ${describeOption(values)}`);
  }
  const entries: [unknown, FakeItem][] = values instanceof Map ? [...values] : Object.entries(values as object);
  const badKeys = entries.map(([k]) => k).filter((k) => typeof k !== 'string' || !TOKEN_CHAR.test(k));
  if (badKeys.length > 0) {
    const named = badKeys.map((k) => (typeof k === 'string' ? JSON.stringify(k) : `${String(k)} (a ${typeof k})`));
    throw new TypeError(`${where} keys must be single letters or digits, got ${named.join(', ')}`);
  }
  for (const [key, item] of entries) {
    const at = `${where}[${JSON.stringify(key)}]`;
    if (typeof item === 'object' && item !== null && 'delay' in item) throw new TypeError(`${at}: a marble value cannot be a delay (use '-' for time)`);
    compileItem(item, 0, at, []);
  }
}

/**
 * @internal Parses a fake model marble string into steps. Throws a TypeError naming the character (a
 * whole code point) and its position (every character before it is ASCII, so the index counts
 * characters). Rules, as in rxjs marbles (run mode): every character but a space takes one frame (a tab or a newline is refused: rxjs reads it as a value); a group
 * `(ab)` emits its content at the frame of `(` and then advances by its full length; a time progression
 * (`10ms`, `1.5s`, `2m`, at the start or after a space and followed by a space) advances
 * by that many ms (one frame is 1 ms), never a run of tokens.
 */
export function parseFakeMarbles(marbles: string, where: string, options: FakeMarbleValues = {}): FakeStep[] {
  const steps: FakeStep[] = [];
  let frame = 0;
  let waited = 0;
  let groupStart = -1;
  let groupOpenedAt = -1;
  let ended = false;
  const at = (i: number) => `${where} position ${i}`;
  const emitTime = () => {
    const t = groupStart >= 0 ? groupStart : frame;
    pushWait(steps, t - waited);
    waited = Math.max(waited, t);
  };
  for (let i = 0; i < marbles.length; i++) {
    const c = String.fromCodePoint(marbles.codePointAt(i)!); // a whole code point, never half an emoji
    if (c === ' ') continue; // rxjs (run mode) skips a space only: a tab or a newline is a value there, so the fake refuses them
    if (ended && c !== ')') throw new TypeError(`${at(i)}: ${quoteChar(c)} after the end of the script ('|' or '#' must be last)`);
    const progression = c >= '0' && c <= '9' ? timeProgressionAt(marbles, i) : undefined;
    if (progression) {
      if (groupStart >= 0) throw new TypeError(`${at(i)}: a time progression ('${progression.text}') inside a group`);
      frame += progression.ms;
      i += progression.text.length - 1;
      continue;
    }
    if (c === '(') {
      if (groupStart >= 0) throw new TypeError(`${at(i)}: groups cannot be nested`);
      groupStart = frame;
      groupOpenedAt = i;
    } else if (c === ')') {
      if (groupStart < 0) throw new TypeError(`${at(i)}: ')' without a matching '('`);
      groupStart = -1;
    } else if (c === '-') {
      if (groupStart >= 0) throw new TypeError(`${at(i)}: '-' inside a group`);
    } else if (c === '#') {
      emitTime();
      steps.push(errorStep(options.error ?? DEFAULT_ERROR));
      ended = true;
    } else if (c === '|') {
      emitTime();
      pushEvent(steps, completeEvent(options.finishReason ?? 'stop', options.usage));
      steps.push({ kind: 'end' });
      ended = true;
    } else if (TOKEN_CHAR.test(c)) {
      emitTime();
      const item = valueFor(options.values, c) ?? c;
      if (typeof item === 'object' && item !== null && 'delay' in item) {
        throw new TypeError(`${at(i)} ('${c}'): a marble value cannot be a delay (use '-' for time)`);
      }
      if (compileItem(item, i, `${at(i)} ('${c}')`, steps)) {
        ended = true;
      }
    } else if (/[\t\n\v\f\r]/.test(c)) {
      throw new TypeError(`${at(i)}: ${quoteChar(c)} is not white space in a marble: rxjs skips only ' ' (and reads this as a value)`);
    } else {
      throw new TypeError(`${at(i)}: ${quoteChar(c)} is not a fake model marble character (use letters, digits, '-', '#', '|', '(' and ')')`);
    }
    frame += 1;
  }
  if (groupStart >= 0) throw new TypeError(`${at(groupOpenedAt)}: unclosed group '(' (no matching ')')`);
  if (!ended) steps.push({ kind: 'hang' });
  return steps;
}
