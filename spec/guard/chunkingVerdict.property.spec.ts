/** @test {guard} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guard, isL0Error, l0, recommendedGuardrails, type GuardMode, type L0Event, type Violation } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { runScenario } from '../helpers/runScenario.js';
import { runSync, text } from './helpers.js';
import { runs } from '../helpers/propertyRuns.js';

/*
 * A guard's verdict is a function of the text, not of how a provider cut it into tokens. Each
 * finding is decided by the text up to a point (a pattern's end plus the characters it waits for,
 * a JSON character, a line's end); the guard checks in rounds, every 10 tokens, so a round sees
 * all that was decided since the last one, and reports it in that order up to the first failing
 * finding: what checks after every character would report. The invariant is the strongest one a
 * consumer can see: the same violations (rule, message, severity, recoverable, position), in the
 * same order, and the same error (code and violations), for every split of the text, as the whole
 * text in one token gives (one round then spans it all: a verdict made of whatever a round found,
 * fatal if any of it was, fails it).
 */

/** The phrases each rule of recommendedGuardrails flags, near misses, code and JSON markers. */
const PHRASES = [
  'I cannot provide that.', "I can't help with that.", "I'm unable to share it.", 'that would be inappropriate.',
  'As an AI language model, ', 'As an AI, ', "I'm sorry, but I ", "I'm an AI and ",
  '[system]', '<|im_start|>', '\n### System\nYou are ', '\n## Instructions\n\nRespond ',
  '[insert name]', '[TODO]', '[your company here]',
  ', so here is ', ', however, I will summarize ', '\n## Instructions\n\nAlways preheat ', '\n## Instructions\nNever reveal ',
  'Sure!\n', 'Here is the answer: ', 'Here is the output of ', 'Here is the result\r\n',
  '{', '}', '[', ']', ',', ',,', '"', '\\begin{align}', '\\end{equation}', '$$', '\\frac', '`', '```\n', '\n\n', '. ', ' but ',
];
/** Filler of any length, so that the points where findings are decided fall into rounds every way. */
const filler = fc.integer({ min: 1, max: 90 }).map((n) => 'lorem ipsum dolor sit amet '.repeat(4).slice(0, n));
const piece = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PHRASES) }, { weight: 2, arbitrary: filler });

/** A text and the cut points of a split into tokens (any sizes, 1-character tokens included). */
const textAndSplit = fc.tuple(fc.array(piece, { minLength: 1, maxLength: 14 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 })).map(([pieces, sizes]) => {
  const all = pieces.join('');
  const chunks: string[] = [];
  for (let at = 0, k = 0; at < all.length; k++) chunks.push(all.slice(at, (at += sizes[k % sizes.length]!)));
  return { all, chunks };
});

const shown = (v: Violation) => ({ ruleId: v.ruleId, message: v.message, severity: v.severity, recoverable: v.recoverable, position: v.position });

/** What the guard says of `chunks`: every violation, in order, the error's code and violations, and in hold-back a passed text's release. */
function verdict(chunks: readonly string[], mode: GuardMode) {
  const r = runSync(text(...chunks), guard(recommendedGuardrails, { mode }));
  const error = r.error as { code?: string; info?: { violations: readonly Violation[] } } | undefined;
  const released = mode === 'hold-back' && error === undefined ? r.released : undefined;
  return { violations: r.violations.map(shown), code: error?.code, failing: error?.info?.violations.map(shown), released };
}

describe('guard(recommendedGuardrails): the verdict whatever the chunking (property)', () => {
  it('should report the same violations in the same order, and fail the same way, for every token split, in either mode', () => {
    let failed = 0;
    let fatal = 0;
    fc.assert(
      fc.property(textAndSplit, fc.constantFrom<GuardMode>('stream-first', 'hold-back'), ({ all, chunks }, mode) => {
        const whole = verdict([all], mode);
        failed += whole.code === undefined ? 0 : 1;
        fatal += whole.code === 'FATAL_GUARDRAIL_VIOLATION' ? 1 : 0;
        expect(verdict(chunks, mode)).toEqual(whole);
        expect(verdict([...all], mode)).toEqual(whole);
      }),
      { numRuns: runs(3000) },
    );
    // the property compared real verdicts of both kinds, not only clean texts
    expect(failed).toBeGreaterThan(runs(1000));
    expect(fatal).toBeGreaterThan(runs(200));
  });

  it('should end an l0() run the same way for every token split, with continuation checkpoints too', () => {
    const run = (chunks: readonly string[], continuation: boolean) => {
      const r = runScenario(() =>
        l0({ stream: fakeModel([{ items: chunks }]), guardrails: recommendedGuardrails, retry: { attempts: 0, backoff: 'fixed', baseDelay: 1 }, continueFromLastKnownGoodToken: continuation }));
      const violations = r.events.flatMap((e: L0Event) => (e.type === 'violation' ? [shown(e.violation)] : []));
      return { violations, code: isL0Error(r.error) ? r.error.code : undefined };
    };
    fc.assert(
      fc.property(textAndSplit, fc.boolean(), ({ all, chunks }, continuation) => {
        expect(run(chunks, continuation)).toEqual(run([all], continuation));
      }),
      { numRuns: runs(300) },
    );
  });
});
