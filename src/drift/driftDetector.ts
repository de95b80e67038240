/** The built-in drift types, L0's names. */
export type DriftType =
  | 'meta_commentary'
  | 'tone_shift'
  | 'repetition'
  | 'entropy_spike'
  | 'format_collapse'
  | 'markdown_collapse'
  | 'hedging';

/** The per-attempt half of a detector. */
export interface DriftCheck {
  /**
   * The text added since the last check (in batches of at least 64 characters; the rest before
   * `complete`), with the attempt's text so far; true once drift is seen. Do O(delta) work (amortised).
   */
  check(delta: string, text: string): boolean;
  /** At completion, with the whole text. */
  complete?(text: string): boolean;
  /**
   * The attempt resumed from `checkpoint` (a continuation: the text so far is the checkpoint, which
   * the earlier attempt's detectors already judged): bring the state up to it without reporting, so
   * the continuation is judged as the rest of the answer, not as its start. Called once, right after
   * `create()`, before any check. Without it, the detector sees only the text after the checkpoint.
   */
  resume?(checkpoint: string): void;
  /**
   * After a check, how many characters at the end of the text it has not judged yet (a phrase it
   * waits to see the end of, an opening it has not decided on). With `action: 'retry'`, a
   * checkpoint leaves them out, so a retry never resumes from text this detector rejects a moment
   * later. Read after each check. @default 0
   */
  readonly held?: number;
}

/**
 * A drift detector: a frozen description whose `create()` gives each attempt fresh state.
 *
 * @example
 * import { detectDrift, type DriftDetector } from 'l0-rx';
 * const shouting: DriftDetector = {
 *   type: 'shouting',
 *   confidence: 0.8,
 *   create: () => ({ check: (delta) => /[A-Z]{30}/.test(delta) }),
 * };
 * events$.pipe(detectDrift({ detectors: [shouting] }));
 */
export interface DriftDetector {
  /** Reported in `drift.types`. */
  readonly type: string;
  /** How sure a detection is, in [0, 1]; the event's `confidence` is the highest of its types. */
  readonly confidence: number;
  create(): DriftCheck;
}
