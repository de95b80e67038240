/** @test {guard} */
import { describe, expect, it } from 'vitest';
import { guard, isGuardrailViolationError, recommendedGuardrails, type GuardRule, type Violation } from 'l0-rx';
import { runSync, text } from './helpers.js';

/*
 * The order of a guard's verdict: findings are reported in the order the text decides them (a
 * pattern's end plus the characters it waits for, a JSON character), and the first failing one
 * ends the attempt, as checks after every character would; never in the order a round that
 * happened to span more text found them in.
 */

const FILLER = ' Here is more of the answer, with no problem in it at all, to let every check settle.'.repeat(3);

/**
 * `t` cut every way that moves the check rounds (every 10 tokens) across it: whole, a first
 * token of 1 to 10 characters then one per character, and tokens of 2 to 12 characters.
 */
function splits(t: string): string[][] {
  const perChar = (from: number) => [t.slice(0, from), ...t.slice(from)];
  const sized = (n: number) => Array.from({ length: Math.ceil(t.length / n) }, (_, i) => t.slice(i * n, (i + 1) * n));
  return [[t], ...Array.from({ length: 10 }, (_, k) => perChar(k + 1)), ...Array.from({ length: 11 }, (_, k) => sized(k + 2))];
}

const shown = (v: Violation) => `${v.ruleId} ${v.message}${v.severity === 'warning' ? ' (warning)' : v.recoverable ? '' : ' (fatal)'} @${String(v.position)}`;

/** The verdicts of `t` over its splits: each split's violations and error code, as a set (one member: the same for all). */
function verdicts(t: string): Set<string> {
  return new Set(splits(t).map((chunks) => {
    const r = runSync(text(...chunks), guard(recommendedGuardrails));
    const code = isGuardrailViolationError(r.error) ? r.error.code : 'passed';
    return [...r.violations.map(shown), code].join(' | ');
  }));
}

describe('guard: a verdict in the order the text decides it', () => {
  it('should fail a placeholder and a refusal after it the same way however the text is cut: the placeholder is decided first', () => {
    expect(verdicts(`Dear [insert name], I cannot provide that.${FILLER}`)).toEqual(
      new Set(['pattern-detection placeholder: "[insert name]" @5 | GUARDRAIL_VIOLATION']),
    );
  });

  it('should let a refusal win over the leak or placeholder after it, and over the "As an AI," that introduces it, whatever the cut', () => {
    expect(verdicts(`I cannot provide that. [system] You are a bot.${FILLER}`)).toEqual(
      new Set(['pattern-detection refusal: "I cannot provide" (fatal) @0 | FATAL_GUARDRAIL_VIOLATION']),
    );
    expect(verdicts(`As an AI, I cannot provide medical advice. See a doctor.${FILLER}`)).toEqual(
      new Set(['pattern-detection refusal: "I cannot provide" (fatal) @10 | FATAL_GUARDRAIL_VIOLATION']),
    );
  });

  it('should give an answer that ends right after its findings the verdict it gets when more text follows: a fatal refusal first, not the rules\' order', () => {
    // the fault server's refusal: meta commentary ("I'm sorry, but I cannot") and a refusal decided at the same point
    for (const t of ["I'm sorry, but I cannot help with that.", 'As an AI, I cannot provide that.']) {
      const ended = [...verdicts(t)];
      const streamedOn = [...verdicts(`${t}${FILLER}`)];
      expect(ended).toHaveLength(1);
      expect(ended[0]).toMatch(/^pattern-detection refusal: "I cannot (?:help with|provide)" \(fatal\) @\d+ \| .*FATAL_GUARDRAIL_VIOLATION$/);
      expect(streamedOn).toEqual([expect.stringMatching(/^pattern-detection refusal: "I cannot (?:help with|provide)" \(fatal\) @\d+ \| .*FATAL_GUARDRAIL_VIOLATION$/)]);
    }
  });

  it('should order the findings of different rules by where the text decided them, whatever the cut', () => {
    // the empty slot is decided at its comma, the refusal only once its sentence shows no "but"
    expect(verdicts(`["I cannot provide that", "x",, "y"]`)).toEqual(
      new Set(['json-structure empty value before `,` @30 | GUARDRAIL_VIOLATION']),
    );
    expect(verdicts(`Sure!\nI cannot provide that, sorry.${FILLER}`)).toEqual(
      new Set(['pattern-detection hedging: "Sure!" (warning) @0 | pattern-detection refusal: "I cannot provide" (fatal) @6 | FATAL_GUARDRAIL_VIOLATION']),
    );
  });

  it('should wait for the whole "but" a refusal looks ahead for, even at the end of its reach', () => {
    // 60 characters between the refusal and "but": a hedge, never a refusal, however the text streams
    const hedge = `I cannot provide ${'w'.repeat(58)} but here is an outline.${FILLER}`;
    expect(verdicts(hedge)).toEqual(new Set(['passed']));
  });

  it('should find a refusal that starts inside its first 300 characters however the text is cut', () => {
    const late = `${'x '.repeat(147)}I cannot provide that.${FILLER}`;
    expect(verdicts(late)).toEqual(new Set(['pattern-detection refusal: "I cannot provide" (fatal) @294 | FATAL_GUARDRAIL_VIOLATION']));
  });

  it('should read a long line that starts with a fence the same way however the text is cut: its backticks are inline ones', () => {
    // longer than a fence line a scan keeps (an info string over 50 characters): the LaTeX after the backticks counts
    const t = `\`\`\`lorem i\\end{align}${'lorem ipsum '.repeat(5)}and then I cannot provide that.`;
    // every finding of the completion checks is decided at the end: the fatal refusal first, then by position
    expect(verdicts(t)).toEqual(new Set([
      'pattern-detection refusal: "I cannot provide" (fatal) @90 | latex-environments \\end{align} without \\begin{align} @10 | ' +
        'markdown-structure the answer ends inside a code fence @undefined | FATAL_GUARDRAIL_VIOLATION',
    ]));
  });

  it('should judge a first line, a heading or a self-description padded with long white space the same way however the text is cut', () => {
    // white space inside a phrase counts up to 8 characters: beyond, the phrase is not one, in every split
    expect(verdicts(`${' '.repeat(28)}Sure!\nThe answer is 4.`)).toEqual(new Set(['passed']));
    expect(verdicts(`### System\n${' '.repeat(70)}You are a pirate.${FILLER}`)).toEqual(new Set(['passed']));
    expect(verdicts(`I'm an AI${' '.repeat(90)}, so I have no feelings.${FILLER}`)).toEqual(new Set(['passed']));
  });

  // ties went by the rule object's first place in the list: a rule listed twice reported both findings there ([A, A, B])
  it('should keep the list\'s order among tied findings when a rule is listed twice, in a check round and at completion', () => {
    const warns = (name: string, when: 'check' | 'complete'): GuardRule => ({ name, severity: 'warning', [when]: () => ({ message: name }) });
    for (const when of ['check', 'complete'] as const) {
      const a = warns('A', when);
      const r = runSync(text('x'), guard([a, warns('B', when), a, warns('C', when)]));
      expect(r.violations.map((v) => v.ruleId), when).toEqual(['A', 'B', 'A', 'C']);
    }
  });
});
