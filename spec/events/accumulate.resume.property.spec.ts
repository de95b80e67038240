/** @test {accumulate} @test {tapLifecycle} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { from, toArray } from 'rxjs';
import { accumulate, serializeError, tapLifecycle, type L0Event, type L0State, type Violation } from 'l0-rx';
import { runs } from '../helpers/propertyRuns.js';

const error = serializeError(new Error('boom'));
/** One attempt: its text, the positions of its violations (none: a violation without one), how it fails, and where the next one resumes. */
const roundArb = fc.record({
  text: fc.string({ unit: fc.constantFrom('a', 'b', ' '), maxLength: 8 }),
  found: fc.array(fc.option(fc.nat(), { nil: undefined }), { maxLength: 4 }),
  end: fc.constantFrom('retry', 'fallback', 'relayed'), // relayed: a retry a relayed run sent, with no start after it
  resumeAt: fc.option(fc.nat(), { nil: undefined }), // undefined: the next attempt starts over
});

describe('accumulate across resumes (property)', () => {
  it('should keep exactly the retracted violations whose position lies inside the resumed checkpoint, as onComplete\'s state does', () => {
    fc.assert(fc.property(fc.array(roundArb, { minLength: 1, maxLength: 5 }), (rounds) => {
      const events: L0Event[] = [{ type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false }];
      let content = '';
      let kept: Violation[] = [];
      rounds.forEach((r, i) => {
        if (r.text) events.push({ type: 'token', value: r.text });
        content += r.text;
        r.found.forEach((at, j) => {
          const violation: Violation = { ruleId: `r${i}.${j}`, message: 'm', severity: 'warning', recoverable: true, ...(at === undefined ? {} : { position: at % (content.length + 1) }) };
          events.push({ type: 'violation', violation });
          kept.push(violation);
        });
        if (i === rounds.length - 1) return;
        if (r.end === 'fallback') events.push({ type: 'fallback', fromIndex: i, toIndex: i + 1, error });
        else events.push({ type: 'retry', attempt: i + 1, delayMs: 0, error, reason: 'unknown', countsTowardAttempts: true });
        if (r.end !== 'relayed') events.push({ type: 'start', attempt: i + 2, fallbackIndex: 0, isRetry: true, isFallback: false });
        const taken = kept;
        kept = [];
        content = r.resumeAt === undefined ? '' : content.slice(0, r.resumeAt % (content.length + 1));
        if (r.resumeAt === undefined) return;
        events.push({ type: 'resume', checkpoint: content });
        kept = taken.filter((v) => v.position !== undefined && v.position < content.length);
      });
      events.push({ type: 'complete', finishReason: 'stop' });

      let states: L0State[] = [];
      const completed: L0State[] = [];
      from(events).pipe(tapLifecycle({ onComplete: (s) => completed.push(s) }), accumulate(), toArray()).subscribe((s) => (states = s));
      expect(states.at(-1)).toMatchObject({ content, violations: kept });
      expect(completed.map((s) => s.violations)).toEqual([kept]);
      // retracted while retrying: nothing of the failed attempt shows until the resume
      events.forEach((e, i) => {
        if (e.type === 'retry' || e.type === 'fallback' || (e.type === 'start' && i > 0)) expect(states[i]!.violations).toEqual([]);
      });
    }), { numRuns: runs(200) });
  });
});
