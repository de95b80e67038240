import { isL0Error, L0Error } from '../errors/L0Error.js';

export interface CircuitOpenInfo {
  /** The breaker's key (the model). */
  readonly key: string;
  readonly state: 'open' | 'half-open';
  /** When the breaker lets a probe through, in ms from now (0: when a probe slot frees up). */
  readonly retryInMs: number;
}

/**
 * The circuit breaker for this model is open: the call was not made. Not retryable (retrying would
 * only hit the open breaker again), so `retryWithBackoff` gives up at once and `fallbackTo` moves to
 * the next model immediately.
 *
 * @example
 * import { isCircuitOpenError } from 'l0-rx';
 * if (isCircuitOpenError(e)) console.log(`${e.info.key} is open for ${e.info.retryInMs} ms`);
 * @see {@link circuitBreaker}
 */
export class CircuitOpenError extends L0Error {
  override readonly name = 'CircuitOpenError';
  declare readonly code: 'CIRCUIT_OPEN';
  readonly info: CircuitOpenInfo;

  constructor(info: CircuitOpenInfo) {
    super(`The circuit breaker for ${JSON.stringify(info.key)} is ${info.state}; no call was made (retry in ${info.retryInMs} ms)`, {
      code: 'CIRCUIT_OPEN',
      category: 'server',
      retryable: false,
      reason: 'server_error',
    });
    this.info = Object.freeze({ ...info });
  }
}

/**
 * True for a {@link CircuitOpenError} from any copy of the package.
 * @example import { isCircuitOpenError } from 'l0-rx'; if (isCircuitOpenError(e)) console.log(`retry in ${e.info.retryInMs} ms`);
 */
export const isCircuitOpenError = (e: unknown): e is CircuitOpenError => isL0Error(e) && e.name === 'CircuitOpenError';
