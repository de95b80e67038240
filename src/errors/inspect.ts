/*
 * Reading values that may be hostile (throwing getters, revoked Proxies, null prototypes, symbols) without
 * ever throwing. Used by classification, serialisation and error messages. Internal: never re-exported.
 */

/** How long a value's description in an error message may get (a function's source, a huge string). */
export const MAX_DESCRIPTION = 200;

/** `o[key]`, or undefined when `o` is not an object or the read throws (a getter, a revoked Proxy). */
export function safeGet(o: unknown, key: PropertyKey): unknown {
  if ((typeof o !== 'object' && typeof o !== 'function') || o === null) return undefined;
  try {
    return (o as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** An `Error` instance (an `instanceof` that a revoked Proxy cannot make throw). */
export function isErrorObject(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

/** `key in o`, false when `o` is not an object or the check throws (a Proxy's `has` trap, a revoked Proxy). */
export function safeHas(o: unknown, key: PropertyKey): boolean {
  if ((typeof o !== 'object' && typeof o !== 'function') || o === null) return false;
  try {
    return key in o;
  } catch {
    return false;
  }
}

/** `o[key]` when it is a string, else undefined. */
export function safeString(o: unknown, key: PropertyKey): string | undefined {
  const v = safeGet(o, key);
  return typeof v === 'string' ? v : undefined;
}

/** `text` cut to `max` characters (never inside a surrogate pair), with `…` when it was cut. */
export function shorten(text: string, max = MAX_DESCRIPTION): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

/**
 * `name` after its article: `an Event`, `a Map`, `an UnknownError`; `a` before a U read as "you": `a Uint8Array`, `a URL`,
 * `a UIEvent`; `an` before the platform's initials read from a vowel: `an HTMLElement`, `an Http2Stream`, `an SVGElement`,
 * `an RTCPeerConnection`, an X before a consonant or a digit (`an XMLHttpRequest`, `an XRSession`, `an X509Certificate`; not
 * `a Xylophone`); not `a MIMEType`, `a MIDIAccess`, `a REPLServer`: words.
 */
export const withArticle = (name: string): string => `${/^((?!u[irs])[aeiou]|ht|svg|rtc|x[^aeiouy])/i.test(name) ? 'an' : 'a'} ${name}`;

/**
 * Names a value for an error message: its type and a shortened view of it (a string's start, a function's
 * source, an object's constructor and first keys). Never throws.
 */
export function describeAny(value: unknown, max: number): string {
  try {
    return describeUnsafe(value, max);
  } catch {
    return 'a value that cannot be inspected';
  }
}

function describeUnsafe(value: unknown, max: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'object':
      return describeObject(value, max);
    case 'undefined':
      return 'undefined';
    case 'string':
      return `a string ${quoted(value, max)}`;
    case 'function':
      return `a function ${quoted(functionSource(value), max)}`;
    default: // number, boolean, bigint, symbol (String() reads a symbol as its toString())
      return `${typeof value} ${shorten(String(value), max)}`;
  }
}

function describeObject(value: object, max: number): string {
  let keys: string[];
  let proto: unknown;
  try {
    keys = Object.keys(value);
    proto = Object.getPrototypeOf(value);
  } catch {
    return 'an object that cannot be inspected (a revoked Proxy?)';
  }
  const ctor = proto === null ? undefined : safeString(safeGet(value, 'constructor'), 'name');
  const what = proto === null ? 'an object without a prototype' : ctor && ctor !== 'Object' ? withArticle(shorten(ctor, 40)) : 'an object';
  const shown = keys.slice(0, 6).map((k) => shorten(k, 40));
  return shorten(`${what} with keys [${shown.join(', ')}${keys.length > 6 ? ', …' : ''}]`, Math.max(max, 80));
}

/** JSON-quoted, cut so that even after escaping (a control character escapes to 6) it stays about `max` long. */
function quoted(text: string, max: number): string {
  let keep = max;
  let json = JSON.stringify(shorten(text, keep));
  while (json.length > max + 3 && keep > 1) {
    keep = Math.floor(keep / 2);
    json = JSON.stringify(shorten(text, keep));
  }
  return json;
}

function functionSource(f: unknown): string {
  try {
    return Function.prototype.toString.call(f);
  } catch {
    return 'function';
  }
}

/**
 * Names a thrown value for an error message: `Name: message` for an error (or any object with a string
 * `message`), else {@link describeAny}. Shortened to about {@link MAX_DESCRIPTION} characters; never throws.
 */
export function describeThrown(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const message = safeString(value, 'message');
    const name = safeString(value, 'name');
    if (message !== undefined && name) return message === '' ? shorten(name, 60) : `${shorten(name, 60)}: ${shorten(message)}`;
    if (message) return `an object with message ${JSON.stringify(shorten(message))}`;
  }
  return describeAny(value, MAX_DESCRIPTION);
}
