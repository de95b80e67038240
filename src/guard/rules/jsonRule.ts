import { builtInRule, SCAN_INTERVAL } from './builtInRule.js';
import { DECIDED, type DecidedFinding, type GuardFinding, type GuardRule, type GuardRuleRun } from '../guardRule.js';

const CLOSER: Record<string, string> = { '}': '{', ']': '[' };
/** What may follow a closed top-level value and still be (broken) JSON. */
const AFTER_VALUE = '{[}],:"';

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
      }
      if (this.inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === '\\') this.#escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
      if (this.#closed) {
        this.#closed = false;
        // after a closed value only more JSON (a second document, a stray closer or comma: broken
        // JSON) keeps it JSON; anything else is prose that began with a bracket ("[1] Smith, J.",
        // "[Paris](https://...)", "{x | x > 0} is a set") or JSON with commentary: not this rule's business
        if (!AFTER_VALUE.includes(c)) {
          this.isJson = false;
          this.stack = undefined;
          break;
        }
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
}

/**
 * Checks that output that starts with `{` or `[` is well-formed JSON: while streaming, brackets
 * that close what is not open and empty slots (`,,`, `{,`, `,}`), never a violation for an
 * unfinished prefix; at completion, unclosed brackets or strings and a `JSON.parse` failure.
 * Anything else (prose, code) is not its business, nor is what only starts with a bracket: once
 * the first value closes, a next character other than `{ [ } ] , : "` ("[1] Smith, J.",
 * "[Paris](https://...) is", `{"a": 1}` and an explanation) ends the check ({@link strictJsonRule}
 * still requires exactly one value).
 *
 *   -{-"a"-:-1-,-,-|     tokens
 *   -------------(v#)     guard([jsonRule()])   (v: "empty value before `,`")
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

  complete(text: string): GuardFinding | undefined {
    if (!this.isJson) return undefined;
    if (this.inString) return { message: 'the JSON ends inside a string' };
    const open = this.stack?.length ?? 0;
    if (open > 0) return { message: `the JSON ends with ${open} unclosed bracket(s)` };
    return parseFailure(text);
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
