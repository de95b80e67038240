/** @test {patternRule} */
import { describe, expect, it } from 'vitest';
import { guard, patternRule } from 'l0-rx';
import { runSync, text } from './helpers.js';

/*
 * "I can't do that." and its close forms, as a whole answer or its opening sentence, are refusals;
 * the same words inside ordinary text (a condition, another subject, an idiom that goes on) are not.
 * Each text is checked whole, split in two at every position, and a character a token.
 */
const cuts = (t: string): string[][] => [[t], ...Array.from({ length: t.length - 1 }, (_, i) => [t.slice(0, i + 1), t.slice(i + 1)]), [...t]];
/** The refusal verdict of every cut of `t` (asserted the same), and that verdict. */
function refuses(t: string): boolean {
  const verdicts = cuts(t).map((c) => {
    const v = runSync(text(...c), guard([patternRule()])).violations;
    return v.some((x) => x.message.startsWith('refusal:') && x.recoverable === false);
  });
  expect(new Set(verdicts).size, `the same verdict for every cut of ${JSON.stringify(t)}`).toBe(1);
  return verdicts[0]!;
}

describe('patternRule: a short refusal as the whole answer or its opening', () => {
  it.each([
    "I can't do that.",
    'I cannot do that.',
    "I won't do that.",
    'I will not do that!',
    "I can't help with that.",
    "I can\u2019t do that",
    "  I can't do that.\n",
    "Sorry, I can't do that.",
    "I'm sorry, I can't do that.",
    "No, I won't do that.",
    "I can't do that. It would break the terms of service.",
    "I can't do that.\n\nIs there anything else?",
  ])('should fail %j as a refusal', (t) => {
    expect(refuses(t)).toBe(true);
  });

  it.each([
    "If I can't do that, I'll fall back to the cached copy.",
    "You can't do that in Python because tuples are immutable.",
    "I can't do that justice in one paragraph, but here is the gist: it caches results.",
    "I can't do that in one line, but two lines work: x = 1; y = 2.",
    'The tool says "I can\'t do that." when the file is locked.',
    "When the parser fails it logs an error. I can't do that check by hand every time, so I wrote a script.",
    "Cats can't do that. Dogs can.",
    "I can't do thatcher impressions, sorry.",
  ])('should pass %j', (t) => {
    expect(refuses(t)).toBe(false);
  });
});
