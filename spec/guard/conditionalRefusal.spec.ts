/** @test {patternRule} */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_PATTERNS, guard, patternRule, type GuardRule, type PatternCategory } from 'l0-rx';
import { runSync, text } from './helpers.js';

/*
 * A refusal phrase after a conjunction of condition ("If I can't help with that, I'll point you to
 * someone who can") says what happens then: it does not decline. The same phrase said outright
 * still refuses. Each text is checked whole, split in two at every position, split at every
 * position with a character a token after it (the engine checks every 10 tokens, so its checks
 * fall at every offset), and a character a token, with all the families and with refusals alone
 * (whose scan then keeps the characters the look-behind reads by itself).
 */
const cuts = (t: string): string[][] => [
  [t],
  ...Array.from({ length: t.length - 1 }, (_, i) => [t.slice(0, i + 1), t.slice(i + 1)]),
  ...Array.from({ length: t.length - 1 }, (_, i) => [t.slice(0, i + 1), ...t.slice(i + 1)]),
  [...t],
];

/** The refusal verdict of every cut of `t` under `categories` (asserted the same), and that verdict. */
function refuses(t: string, categories?: PatternCategory[]): boolean {
  return refusesWith(t, () => patternRule(categories ? { categories } : {}));
}

/** The refusal verdict of every cut of `t` under the rule `make` makes (asserted the same), and that verdict. */
function refusesWith(t: string, make: () => GuardRule): boolean {
  const verdicts = cuts(t).map((c) => {
    const v = runSync(text(...c), guard([make()])).violations;
    return v.some((x) => x.message.startsWith('refusal:') && x.recoverable === false);
  });
  expect(new Set(verdicts).size, `the same verdict for every cut of ${JSON.stringify(t)}`).toBe(1);
  return verdicts[0]!;
}

const FILLER = 'The cache keeps the last response of each route for five minutes, then asks the origin again. '.repeat(3);

describe('patternRule: a refusal phrase in a condition', () => {
  it.each([
    "If I can't help with that, I'll point you to someone who can.",
    'When I cannot provide a source, I say so and mark the claim as unverified.',
    "In case I cannot help with that, here is the support address: help@example.com.",
    "Whenever I can't write the file, the script logs a warning and retries.",
    "Unless I'm unable to answer, you will get a reply within a day.",
    "if  I can't assist with the upload, the form falls back to email.",
    // the condition near the 300-character limit, the text going on past it: a cut there trims the scan's buffer
    `${FILLER}If I can't help with that, I'll point you to someone who can. ${FILLER}`,
  ])('should pass %j', (t) => {
    expect(refuses(t)).toBe(false);
    expect(refuses(t, ['refusal'])).toBe(false);
  });

  it.each([
    "I can't help with that.",
    "Sorry, I can't help with that request.",
    'Unfortunately I cannot help with that.',
    "If you want malware, I can't help with that.",
    "Notif I can't help with that.",
    // a letter beyond ASCII before the conjunction makes it part of a word, as the x of "xif" does
    'Résuméif I cannot provide the file, ask again.',
    'The vector 𝐱if I cannot provide its norm, ask again.',
    'Ἡ ἀρχῇwhen I cannot provide a source, ask again.',
    'The variable ｘunless I cannot provide it, ask again.',
    // a digit glued before it too, as \b reads it: ASCII or fullwidth alike
    'The step 2if I cannot provide it, ask again.',
    'The step ２if I cannot provide it, ask again.',
    `${FILLER.slice(0, 150)} The vector 𝐱whenever   I cannot provide a source, ask again. ${FILLER}`,
    "Even so, I cannot provide that information.",
    `${FILLER}Sorry, I can't help with that request. ${FILLER}`,
  ])('should still fail %j as a refusal', (t) => {
    expect(refuses(t)).toBe(true);
    expect(refuses(t, ['refusal'])).toBe(true);
  });
});

describe('patternRule: the refusal family listed in `patterns`', () => {
  // a copy of BUILT_IN_PATTERNS.refusal with a severity of one's own: its scan comes with it, the characters its look-behind
  // reads before a match (a condition's conjunction) and the rest of the sentence it waits for (a "but here is" makes it a hedge)
  const own = () => patternRule({ categories: [], patterns: [{ ...BUILT_IN_PATTERNS.refusal, severity: 'fatal' }] });
  const asIs = () => patternRule({ categories: ['meta-commentary'], patterns: [BUILT_IN_PATTERNS.refusal] });

  it.each([
    `${FILLER}If I can't help with that, I'll point you to someone who can. ${FILLER}`,
    `${FILLER.slice(0, 150)} Whenever I cannot provide a source, I say so. ${FILLER}`,
    'I cannot provide a definitive answer, but here is an outline of the options.',
    "I can't write the whole essay, so here is a summary of its argument.",
  ])('should pass %j, as the category does, for every cut', (t) => {
    expect(refusesWith(t, own)).toBe(false);
    expect(refusesWith(t, asIs)).toBe(false);
  });

  it.each([
    "Sorry, I can't help with that request.",
    `${FILLER}Even so, I cannot provide that information. ${FILLER}`,
  ])('should still fail %j as a refusal', (t) => {
    expect(refusesWith(t, own)).toBe(true);
    expect(refusesWith(t, asIs)).toBe(true);
  });
});
