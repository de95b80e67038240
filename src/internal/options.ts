/**
 * Strict option bags: one validator for every operator's config, with messages that name the
 * option as the user wrote it (`withTimeouts({initialToken})`, or `l0({timeout: {initialToken}})`
 * when the same config came through the preset).
 * @internal Never re-exported.
 */
import { closestName } from './closestName.js';
import { withArticle } from '../errors/inspect.js';

/**
 * Where an option bag sits in the call the user wrote. Operators validate with their own root
 * path; the preset hands them a nested one, so messages name what the user typed.
 */
export interface OptionPath {
  /** The bag itself: `withTimeouts(config)`, `l0({timeout})`. */
  readonly self: string;
  /** Rendered before and after a key of the bag: `withTimeouts({` + `initialToken` + `})`. */
  readonly open: string;
  readonly close: string;
}

/**
 * The path of a function's options argument: `optionPath('withTimeouts')` names the bag
 * `withTimeouts(config)` and its keys `withTimeouts({initialToken})`; `before` holds the arguments
 * in front of it (`optionPath('fromStream', 'factory, ')`).
 */
export function optionPath(call: string, before = '', bagName = 'config'): OptionPath {
  return { self: `${call}(${before}${bagName})`, open: `${call}(${before}{`, close: '})' };
}

/** The path of the bag held by `key` of `parent`: `childPath(l0Path, 'timeout')` is `l0({timeout: {...}})`. */
export function childPath(parent: OptionPath, key: string): OptionPath {
  return { self: optionLabel(parent, key), open: `${parent.open}${key}: {`, close: `}${parent.close}` };
}

/** One option as the user wrote it: `l0({timeout: {initialToken}})`. */
export function optionLabel(path: OptionPath, key: string): string {
  return `${path.open}${key}${path.close}`;
}

/** A TypeError `<option> must be <what>, got <value>`. */
export function optionError(path: OptionPath, key: string, what: string, value: unknown): TypeError {
  return new TypeError(`${optionLabel(path, key)} must be ${what}, got ${describeOption(value)}`);
}

/**
 * Throws a TypeError `<where> must be a string, got <type>` unless `value` is a string: a text
 * argument that is not one fails here, named, not later inside a string method.
 */
export function checkText(where: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${where} must be a string, got ${value === null ? 'null' : typeof value}`);
}

/** What a `concurrency` option accepts: an integer >= 1, or `Infinity` for no limit (as `mergeMap`'s). */
export const CONCURRENCY = 'an integer >= 1 or Infinity (no limit)';
/** A valid `concurrency`: see {@link CONCURRENCY}; 0, negatives, NaN and fractions are not. */
export const isConcurrency = (v: unknown): v is number => v === Infinity || (Number.isInteger(v) && (v as number) >= 1);

/** Throws unless `value` is a plain options object (not null, not an array, not a function). */
export function checkBag(path: OptionPath, value: unknown, what = 'an object'): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${path.self} must be ${what}, got ${describeOption(value)}`);
  }
}

/**
 * Throws a TypeError naming every own enumerable key of `value` that is not in `allowed`, each with
 * the closest allowed key as a suggestion ("did you mean ...?"); without a close one, the message
 * lists the allowed keys. With `only`, keys that do not match it are left alone (a callbacks object
 * may carry state next to its `onX` functions).
 *
 *   checkKeys(optionPath('withTimeouts'), { intialToken: 5 }, ['initialToken', 'interToken'])
 *   // TypeError: withTimeouts(config): unknown option `intialToken` (did you mean `initialToken`?)
 */
export function checkKeys(path: OptionPath, value: object, allowed: readonly string[], only?: RegExp): void {
  let unknown: string[] | undefined;
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key) && (!only || only.test(key))) (unknown ??= []).push(key);
  }
  if (!unknown) return;
  let guessedAll = true;
  const parts = unknown.map((key) => {
    const guess = closestName(key, allowed);
    if (guess === undefined) guessedAll = false;
    return `\`${cut(key, 40)}\`${guess === undefined ? '' : ` (did you mean \`${guess}\`?)`}`;
  });
  const known = guessedAll ? '' : `; the options are ${allowed.map((k) => `\`${k}\``).join(', ')}`;
  throw new TypeError(`${path.self}: unknown option${parts.length > 1 ? 's' : ''} ${parts.join(', ')}${known}`);
}

/**
 * True for a plain object: prototype `null`, or an `Object.prototype` of any realm (a record made in
 * a `node:vm` context or an iframe has its own), never a Map, an array, a class instance or an object
 * whose prototype is another record.
 */
export function isPlainRecord(value: unknown): boolean {
  const proto: unknown = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : 0;
  // another realm's Object.prototype: a root prototype whose own constructor is named Object
  return proto === null || proto === Object.prototype || (typeof proto === 'object' && Object.getPrototypeOf(proto) === null && Object.hasOwn(proto, 'constructor') && (proto as { constructor?: { name?: unknown } }).constructor?.name === 'Object');
}

/**
 * A wrong value, shortened for a message: strings quoted and cut to about 60 characters, a
 * function as the start of its source, an object as its type (`an object`, `an array`,
 * `an AbortSignal`). Never throws, whatever the value (a revoked proxy, throwing getters).
 */
export function describeOption(value: unknown): string {
  try {
    if (typeof value === 'string') return JSON.stringify(cut(value, 60));
    if (typeof value === 'function') return `a function ${cut(Function.prototype.toString.call(value).replace(/\s+/g, ' '), 60)}`;
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value !== 'object' || value === null) return String(value); // number, boolean, undefined, symbol, null
    if (Array.isArray(value)) return 'an array';
    const name: unknown = Object.getPrototypeOf(value)?.constructor?.name;
    return typeof name === 'string' && name !== '' && name !== 'Object' ? withArticle(cut(name, 40)) : 'an object';
  } catch {
    return 'an unreadable value';
  }
}

/**
 * The keys of `T`, checked both ways at compile time: a key `T` does not have is an error, and so
 * is leaving one of `T`'s keys out, so a list cannot drift from its config type.
 *
 *   const KEYS = optionKeys<WithTimeoutsConfig>()(['initialToken', 'interToken', 'total', 'scheduler']);
 */
export function optionKeys<T>() {
  return <const K extends readonly (keyof T & string)[]>(
    keys: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : { readonly missing: Exclude<keyof T, K[number]> }),
  ): readonly (keyof T & string)[] => Object.freeze([...keys]);
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** True for an object with `now()` and `schedule()`, which is all a SchedulerLike needs. */
export function isSchedulerLike(value: unknown): boolean {
  const s = value as { now?: unknown; schedule?: unknown } | null;
  return typeof s === 'object' && s !== null && typeof s.now === 'function' && typeof s.schedule === 'function';
}

/**
 * An AbortSignal of any realm (an iframe's, a jsdom window's) or a polyfill's (`instanceof AbortSignal` refuses them): what
 * l0() and the multi-model runs use of it, `aborted`, `reason` and the 'abort' event, listened to and left. One check for all
 * (l0() asked for no `removeEventListener`: its run's end then threw calling it, before the request was torn down).
 */
export const isSignal = (value: unknown): value is AbortSignal => {
  const s = value as Partial<AbortSignal> | undefined;
  return typeof s?.aborted === 'boolean' && typeof s.addEventListener === 'function' && typeof s.removeEventListener === 'function';
};
