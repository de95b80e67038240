import { isL0Error, L0Error } from '../errors/L0Error.js';

/** Why no consensus was reached. */
export interface ConsensusErrorInfo {
  /** `conflict`: an output disagrees and `resolveConflicts` is `'fail'`; or the agreement is below `minimumAgreement`. */
  readonly kind: 'conflict' | 'below-minimum-agreement';
  /** The weighted share of outputs that agree with the best candidate (text) or the mean field agreement (structured). */
  readonly agreement: number;
  readonly minimumAgreement: number;
}

/**
 * The outputs disagree too much for a consensus. Not retryable as such (run again to resample).
 *
 * @example
 * import { isConsensusError } from 'l0-rx';
 * if (isConsensusError(e)) console.log(e.info.kind, e.info.agreement);
 * @see {@link consensus}
 */
export class ConsensusError extends L0Error {
  override readonly name = 'ConsensusError';
  declare readonly code: 'NO_CONSENSUS';
  readonly info: ConsensusErrorInfo;

  constructor(info: ConsensusErrorInfo) {
    const what = info.kind === 'conflict' ? `The outputs disagree (agreement ${info.agreement.toFixed(2)}) and resolveConflicts is 'fail'` : `Agreement ${info.agreement.toFixed(2)} is below minimumAgreement ${info.minimumAgreement}`;
    super(what, { code: 'NO_CONSENSUS', category: 'content', retryable: false });
    this.info = Object.freeze({ ...info });
  }
}

/**
 * True for a {@link ConsensusError} from any copy of the package.
 * @example import { isConsensusError } from 'l0-rx'; if (isConsensusError(e)) console.log(e.info);
 */
export const isConsensusError = (e: unknown): e is ConsensusError => isL0Error(e) && e.name === 'ConsensusError';
