// @ts-check
// The one-pass floor of the content stack: what its checks cost with no pipeline around them. One
// subscriber reads the model's async iterable and, in the same call per token, keeps the attempt's
// text, runs the guardrail rule runs (each `check` every 10 tokens, as l0's engine batches them) and
// the drift detectors (each `check` every 64 characters, as detectDrift batches them), keeps a
// checkpoint every 10 tokens and emits a UI state per token (what accumulate() gives a template).
// No timeouts, retries, fallbacks, events of their own, verdicts, hold-back or de-duplication: a
// lower bound for any design of the attempt pipeline that runs these rules and detectors.
import { Observable } from 'rxjs';

/**
 * @param {() => AsyncIterable<string>} stream
 * @param {{ rules?: readonly import('l0-rx').GuardRule[], detectors?: readonly import('l0-rx').DriftDetector[] }} checks
 * @returns {Observable<unknown>}
 */
export function onePassFloor(stream, { rules = [], detectors = [] }) {
  return new Observable((subscriber) => {
    const iterator = stream()[Symbol.asyncIterator]();
    const runs = rules.map((rule) => (rule.create ? rule.create() : rule));
    const checks = detectors.map((detector) => detector.create());
    let text = '';
    let tokenCount = 0;
    let ruleDelta = '';
    let driftDelta = '';
    let checkpoint = '';
    let stopped = false;
    /** @param {IteratorResult<string>} result */
    const onRead = (result) => {
      if (stopped) return;
      if (result.done) {
        for (const run of runs) run.complete?.(text);
        for (const check of checks) check.complete?.(text);
        subscriber.next({ content: text, tokenCount, status: 'complete', checkpoint });
        subscriber.complete();
        return;
      }
      const value = result.value;
      text += value;
      tokenCount++;
      ruleDelta += value;
      driftDelta += value;
      if (tokenCount % 10 === 0) {
        for (const run of runs) run.check?.(ruleDelta, text);
        ruleDelta = '';
        checkpoint = text;
      }
      if (driftDelta.length >= 64) {
        for (const check of checks) check.check(driftDelta, text);
        driftDelta = '';
      }
      subscriber.next({ content: text, tokenCount, status: 'streaming', checkpoint, token: value });
      read();
    };
    const read = () => { iterator.next().then(onRead, (e) => subscriber.error(e)); };
    read();
    return () => { stopped = true; };
  });
}
