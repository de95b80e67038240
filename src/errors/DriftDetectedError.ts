import { isL0Error, L0Error } from './L0Error.js';

export interface DriftDetectedInfo {
  readonly types: readonly string[];
  readonly confidence: number;
}

/**
 * The output drifted (meta commentary, repetition, format collapse...). Retryable; counts against `attempts`.
 *
 * @example
 * import { isDriftDetectedError } from 'l0-rx';
 * if (isDriftDetectedError(e)) console.log(e.info.types);
 * @see {@link detectDrift}
 */
export class DriftDetectedError extends L0Error {
  override readonly name = 'DriftDetectedError';
  declare readonly code: 'DRIFT_DETECTED';
  readonly info: DriftDetectedInfo;

  constructor(info: DriftDetectedInfo) {
    super(`Drift detected: ${info.types.join(', ')} (confidence ${info.confidence})`, {
      code: 'DRIFT_DETECTED',
      category: 'content',
      retryable: true,
      reason: 'drift',
    });
    this.info = Object.freeze({ types: Object.freeze([...info.types]), confidence: info.confidence });
  }
}

/**
 * True for a {@link DriftDetectedError} from any copy of the package.
 * @example import { isDriftDetectedError } from 'l0-rx'; if (isDriftDetectedError(e)) console.log(e.info);
 */
export const isDriftDetectedError = (e: unknown): e is DriftDetectedError =>
  isL0Error(e) && e.name === 'DriftDetectedError';
