import type { FinishReason } from '../../events/eventTypes.js';
import { builtInRule, openAtEnd, SCAN_INTERVAL } from './builtInRule.js';
import { DECIDED, type DecidedFinding, type GuardFinding, type GuardRule, type GuardRuleRun } from '../guardRule.js';

const CLOSER: Record<string, string> = { '}': '{', ']': '[' };
/** What may follow a closed top-level value and still be (broken) JSON. */
const AFTER_VALUE = '{[}],:"';
/** What may stand outside brackets once something other than a new line's value followed a closed one (`{"a": {}}, "b": 1}`). */
const LOOSE = `${AFTER_VALUE}0123456789-`;

/**
 * Follows JSON structure one character at a time, string- and escape-aware, in O(delta): the open
 * brackets, and the last significant character to catch empty slots (`,,`, `{,`, `:,`, `,}`).
 * @internal
 */
export class JsonScanner {
  /** Undecided until the first non-space character; false if the text is not JSON at all, or prose follows the first value. */
  isJson: boolean | undefined = undefined;
  /** The open brackets (allocated at the first one: prose never needs it). */
  stack: string[] | undefined = undefined;
  inString = false;
  /** The first top-level value has closed: the next significant character says whether more JSON follows. */
  #closed = false;
  /** A line break since the last top-level value closed. */
  #newLine = false;
  /** Where the first top-level value starts. */
  #first = 0;
  /**
   * JSON Lines: where each top-level value starts, when every one after the first starts on a new
   * line (allocated at the second value; undefined once anything else follows a closed value).
   */
  records: number[] | undefined = undefined;
  /** Something other than a new line's value followed a closed value (a comma, a second value on its line): not JSON Lines. */
  #glued = false;
  #escaped = false;
  #prev = '';
  /** Characters fed so far. */
  offset = 0;

  /** Feeds `delta`; returns the first structural error in it, if any. */
  feed(delta: string): GuardFinding | undefined {
    if (this.isJson === false) return undefined;
    let found: GuardFinding | undefined;
    for (let i = 0; i < delta.length; i++) {
      const c = delta[i]!;
      const position = this.offset + i;
      if (this.isJson === undefined) {
        if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
        this.isJson = c === '{' || c === '[';
        if (!this.isJson) break;
        this.#first = position;
      }
      if (this.inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === '\\') this.#escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t') {
        if (c === '\n' && this.#closed) this.#newLine = true;
        continue;
      }
      if (this.#closed) {
        this.#closed = false;
        // after a closed value only more JSON (a second document, a stray closer or comma: broken
        // JSON) keeps it JSON; anything else is prose that began with a bracket ("[1] Smith, J.",
        // "[Paris](https://...)", "{x | x > 0} is a set") or JSON with commentary: not this rule's
        // business, nor is a word outside brackets later (below)
        if (!AFTER_VALUE.includes(c)) {
          this.#prose();
          break;
        }
        // a value on a line of its own after one that closed: JSON Lines, each line checked alone at completion
        if ((c === '{' || c === '[') && this.#newLine && !this.#glued) (this.records ??= [this.#first]).push(position);
        else {
          this.#glued = true;
          this.records = undefined;
        }
        this.#newLine = false;
      } else if (this.#glued && (this.stack === undefined || this.stack.length === 0) && !LOOSE.includes(c)) {
        // a word outside brackets after the first value: prose that began with brackets ("[Host]: Welcome",
        // "[1] "Title", Author", "[1]: https://..."), not JSON
        this.#prose();
        break;
      }
      if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') (this.stack ??= []).push(c);
      else if (c === '}' || c === ']') {
        const open = this.stack?.pop();
        if (open !== CLOSER[c]) found ??= { message: open ? `\`${c}\` closes \`${open}\`` : `\`${c}\` without an opening bracket`, position };
        else if (this.#prev === ',') found ??= { message: `trailing comma before \`${c}\``, position };
        if (this.stack === undefined || this.stack.length === 0) this.#closed = true;
      } else if (c === ',' && (this.#prev === ',' || this.#prev === '{' || this.#prev === '[' || this.#prev === ':')) {
        found ??= { message: `empty value before \`,\``, position };
      }
      this.#prev = c;
    }
    this.offset += delta.length;
    return found;
  }

  /** The text is not JSON after all: prose that began with a bracket. */
  #prose(): void {
    this.isJson = false;
    this.stack = undefined;
    this.records = undefined;
  }
}

/**
 * Checks that output that starts with `{` or `[` is well-formed JSON: while streaming, brackets
 * that close what is not open and empty slots (`,,`, `{,`, `,}`), never a violation for an
 * unfinished prefix; at completion, unclosed brackets or strings (only a `warning` when the
 * answer ends with `finishReason: 'length'`: the token limit cut it, the finish reason says so, and
 * a retry under the same limit would be cut again) and a `JSON.parse` failure.
 * Anything else (prose, code) is not its business, nor is what only starts with a bracket: once
 * the first value closes, a next character other than `{ [ } ] , : "` ("[1] Smith, J.",
 * "[Paris](https://...) is", `{"a": 1}` and an explanation), or a word outside brackets later
 * ("[Host]: Welcome", `[1] "Title", Author`), ends the check ({@link strictJsonRule} still
 * requires exactly one value). JSON Lines (each value after the first on a new line) pass
 * when each value parses alone.
 *
 *   -{-"a"-:-1-,-,-|      tokens (it checks every 10 tokens, and at the end)
 *   -{-"a"-:-1-,-,-(v#)   guard([jsonRule()])   (v: "empty value before `,`")
 *
 * @example
 * import { guard, jsonRule } from 'l0-rx';
 * events$.pipe(guard([jsonRule()]));
 * @see {@link strictJsonRule}
 */
export function jsonRule(): GuardRule {
  return builtInRule({
    name: 'json-structure',
    severity: 'error',
    interval: SCAN_INTERVAL,
    create: (): GuardRuleRun => new JsonRun(),
  } satisfies GuardRule, false);
}

/** One attempt of {@link jsonRule}: the scanner, and the verdict at completion. */
class JsonRun extends JsonScanner implements GuardRuleRun {
  check(delta: string): GuardFinding | undefined {
    const found: DecidedFinding | undefined = this.feed(delta);
    // decided by its character (see DECIDED)
    if (found) found[DECIDED] = found.position! + 1;
    return found;
  }

  resume(checkpoint: string): void {
    this.feed(checkpoint);
  }

  /**
   * An unfinished value at the end (inside a string, brackets left open): an `error` when the model
   * ended the answer there, a `warning` when the token limit cut it (`length`: the finish reason
   * reports the cut, and a retry under the same limit would be cut again), as markdownRule's open
   * fence. A closed value that does not parse is an `error` whatever the reason: no cut made it.
   */
  complete(text: string, finishReason?: FinishReason): GuardFinding | undefined {
    if (!this.isJson) return undefined;
    const open = this.stack?.length ?? 0;
    if (this.inString || open > 0) return openAtEnd(this.inString ? 'the JSON ends inside a string' : `the JSON ends with ${open} unclosed bracket(s)`, finishReason);
    const records = this.records;
    if (records === undefined) return parseFailure(text);
    for (let i = 0; i < records.length; i++) {
      const failure = parseFailure(text.slice(records[i], records[i + 1]));
      if (failure) return { message: `JSON Lines value ${i + 1}: ${failure.message.replace('the JSON ', '')}` };
    }
    return undefined;
  }
}

/** The `JSON.parse` error of `text` as a finding, or undefined when it parses. @internal */
export function parseFailure(text: string): GuardFinding | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    return { message: `the JSON does not parse: ${(e as Error).message}` };
  }
}
