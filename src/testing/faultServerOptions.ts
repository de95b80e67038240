import { MAX_DELAY_MS } from './faults.js';
import { closestName } from '../internal/closestName.js';
import { describeOption } from '../internal/options.js';

/** Options of {@link startFaultServer}. */
export interface FaultServerOptions {
  /** The text every non-faulty response streams, a word per chunk. @default FAULT_SERVER_DEFAULTS.reply */
  readonly reply?: string;
  /** Real milliseconds between streamed chunks, capped at 10 000. @default 5 */
  readonly tokenDelayMs?: number;
  /** The port to listen on; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** A loopback address to bind: `127.0.0.1`, `::1` or `localhost`. Nothing else is allowed. @default '127.0.0.1' */
  readonly host?: '127.0.0.1' | '::1' | 'localhost';
}

/**
 * The defaults of {@link FaultServerOptions}.
 *
 * @example
 * import { expect } from 'vitest';
 * import { FAULT_SERVER_DEFAULTS } from 'l0-rx/testing';
 * declare const text: string; // what your client read from the fault server
 * expect(text).toBe(FAULT_SERVER_DEFAULTS.reply); // what a clean model streams
 */
export const FAULT_SERVER_DEFAULTS: Readonly<Required<FaultServerOptions>> = Object.freeze({
  reply: 'The quick brown fox jumps over the lazy dog.',
  tokenDelayMs: 5,
  port: 0,
  host: '127.0.0.1',
});

const LOOPBACK: ReadonlySet<string> = new Set(['127.0.0.1', '::1', 'localhost']);

/** The options checked (a TypeError naming the option otherwise), with their defaults; `tokenDelayMs` capped. */
export function resolveOptions(options: FaultServerOptions): Required<FaultServerOptions> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`startFaultServer: options must be an object or undefined, got ${options === null ? 'null' : typeof options}`);
  }
  const allowed = Object.keys(FAULT_SERVER_DEFAULTS);
  const unknown = Object.keys(options).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    const named = unknown.map((k) => {
      const guess = closestName(k, allowed);
      return `"${k}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
    });
    throw new TypeError(`startFaultServer: unknown option${unknown.length > 1 ? 's' : ''} ${named.join(', ')}; allowed: ${allowed.join(', ')}`);
  }
  const resolved = { ...FAULT_SERVER_DEFAULTS, ...stripUndefined(options) };
  const { reply, tokenDelayMs, port, host } = resolved;
  if (typeof reply !== 'string') throw new TypeError(`startFaultServer: options.reply must be a string, got ${describeOption(reply)}`);
  if (typeof tokenDelayMs !== 'number' || !Number.isFinite(tokenDelayMs) || tokenDelayMs < 0) {
    throw new TypeError(`startFaultServer: options.tokenDelayMs must be a finite number >= 0, got ${String(tokenDelayMs)}`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`startFaultServer: options.port must be an integer in 0..65535, got ${String(port)}`);
  }
  if (!LOOPBACK.has(host)) throw new TypeError(`startFaultServer: options.host must be a loopback address (127.0.0.1, ::1, localhost), got ${String(host)}`);
  return { ...resolved, tokenDelayMs: Math.min(tokenDelayMs, MAX_DELAY_MS) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
