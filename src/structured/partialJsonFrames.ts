/**
 * The partial-JSON parser's vocabulary (its modes, the open-container frames) and the one piece of
 * it that needs no parser state: copying the open path into a deep-partial snapshot. Internal.
 */

export type Container = Record<string, unknown> | unknown[];

// plain objects, not `const enum`: with isolatedModules an enum compiles to an IIFE that no bundler can drop
export const Expect = { KeyOrEnd: 0, Key: 1, Colon: 2, Value: 3, CommaOrEnd: 4, ValueOrEnd: 5 } as const;
export type Expect = (typeof Expect)[keyof typeof Expect];
export const Mode = { Before: 0, Value: 1, Str: 2, Escape: 3, Unicode: 4, Atom: 5, Done: 6, Failed: 7, Probe: 8, Mark: 9 } as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

/** An open container on the parser's stack. */
export interface Frame {
  readonly c: Container;
  readonly isArray: boolean;
  /** Where this container sits in its parent. */
  readonly slot: string | number;
  expect: Expect;
  /** The key whose value comes next (objects). */
  key: string;
  /** Values assigned so far. */
  size: number;
}

export const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
export const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Sets `key` on `o` as an own property, even `__proto__` (never the prototype). */
export function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
}

/** Puts `value` at `slot` of a container (an index of an array, an own key of an object). */
function put(c: Container, slot: string | number, value: unknown): void {
  if (Array.isArray(c)) c[slot as number] = value;
  else setOwn(c, slot as string, value);
}

/**
 * JSON's white space, and the white space JSON does not allow: JavaScript's (`\s`, as `trim()` reads
 * it) and jsonrepair's (its isSpecialWhitespace adds U+180E and U+200B; `{\u00a0"a": 1}` is `{"a": 1}`
 * to repair). Of JavaScript's, jsonrepair reads `\v`, `\f`, U+1680, U+2028 and U+2029 as no white
 * space (`[1,\f2]` is `[1, "\f2"]` to it): repair makes them spaces first ({@link UNREAD_SPACE}).
 */
export function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ((ch < ' ' || ch > '\u009f') && /[\s\u180e\u200b]/.test(ch));
}

/** White space that jsonrepair reads as no white space (`\v`, `\f`, U+1680, U+2028, U+2029): repair makes each a space outside strings and unquoted words first, so it ends a number as a space does. */
export const UNREAD_SPACE = /[\v\f\u1680\u2028\u2029]/;

/** A control character JSON allows in no string and jsonrepair escapes in none (all but `\b`, `\f`, `\n`, `\r`, `\t`): it throws on it. */
export const isBadControl = (ch: string): boolean => ch < ' ' && !'\b\f\n\r\t'.includes(ch);

/**
 * Copies the open containers, innermost first, each into a frozen copy that holds the next one's
 * copy; closed containers are shared, never copied. `growing` is a value string in progress in
 * the innermost container (shown as its prefix), or undefined.
 */
export function copyOpenPath(stack: readonly Frame[], growing: string | undefined): unknown {
  let child: unknown;
  for (let d = stack.length - 1; d >= 0; d--) {
    const f = stack[d]!;
    const copy: Container = f.isArray ? (f.c as unknown[]).slice() : { ...f.c };
    if (d < stack.length - 1) put(copy, stack[d + 1]!.slot, child);
    else if (growing !== undefined) put(copy, f.isArray ? (f.c as unknown[]).length : f.key, growing);
    child = Object.freeze(copy);
  }
  return child;
}

/**
 * True when two parsed JSON values are deep-equal (arrays told from objects, key order aside).
 * Iterative, so a deeply nested value cannot overflow the stack; shared containers compare at once.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  const pairs: unknown[] = [a, b];
  while (pairs.length > 0) {
    const y = pairs.pop();
    const x = pairs.pop();
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null || Array.isArray(x) !== Array.isArray(y)) return false;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const k of keys) {
      if (!Object.hasOwn(y, k)) return false;
      pairs.push((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]);
    }
  }
  return true;
}

/**
 * A deep-frozen copy of `value`, parsed again from `json` (the text it was parsed from), so a
 * partial never freezes the result's own object. Iterative, as {@link sameJson}.
 */
export function frozenCopy(json: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const copy = JSON.parse(json) as object;
  const todo: object[] = [copy];
  while (todo.length > 0) {
    const c = Object.freeze(todo.pop()!);
    for (const v of Object.values(c)) if (typeof v === 'object' && v !== null) todo.push(v as object);
  }
  return copy;
}
