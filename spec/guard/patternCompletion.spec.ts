/** @test {patternRule} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customPatternRule, guard, isGuardrailViolationError, patternRule, type GuardRuleRun } from 'l0-rx';
import { BUILT_IN_PATTERNS } from '../../src/guard/rules/patternRule.js';
import { compilePatterns, PatternRun } from '../../src/guard/rules/patternScan.js';
import { runSync, text } from './helpers.js';
import { runs } from '../helpers/propertyRuns.js';

const SPECS = Object.values(BUILT_IN_PATTERNS);
/** As patternRule() compiles them, and the same families all scanned again on the final newline. */
const pruned = compilePatterns(SPECS, [], SPECS.map((s) => s.name === 'instruction-leak' || s.name === 'hedging'));
const everyFamily = compilePatterns(SPECS);

/** Every finding of a run fed `chunks`, then completed. */
function findings(compiled: ReturnType<typeof compilePatterns>, chunks: readonly string[]) {
  const run: GuardRuleRun = new PatternRun(compiled);
  const out = chunks.flatMap((c) => run.check!(c, '') ?? []);
  return [...out, ...((run.complete!('') as readonly unknown[] | undefined) ?? [])];
}

describe('patternRule at completion', () => {
  it('should find what rescanning every family on the final newline finds, for any text and chunking', () => {
    // each family's phrases, cut short and whole, near misses, and the characters that end lines and words
    const piece = fc.constantFrom(
      'As an AI', 'As an AI language model', 'as an ai,', "I'm just an AI", 'I cannot actually', "I don't have personal", 'I apologize, but I',
      'I cannot provide', "I'm unable to help", 'that would be inappropriate', '[system]', '<|im_start|>', '## System:', '### Instructions',
      '[insert your name', '[insert name]', '[TODO]', 'Sure!', 'Certainly.', 'Of course', 'Here is the answer', 'Here you go', ':', '\r', ' of',
      'Let me check that for you', "I'll write it for you", '\n', '\r\n', ' ', '.', ',', 'a', 'x', ']', '[',
    );
    let found = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.integer({ min: 1, max: 9 }), (pieces, size) => {
        const all = pieces.join('');
        const chunks = Array.from({ length: Math.ceil(all.length / size) }, (_, i) => all.slice(i * size, (i + 1) * size));
        const expected = findings(everyFamily, chunks);
        found += expected.length;
        expect(findings(pruned, chunks)).toEqual(expected);
      }),
      { numRuns: runs(2000) },
    );
    expect(found).toBeGreaterThan(runs(1000)); // the property compared real findings, not only silence
  });

  it('should find a hedging first line and a leaked heading that the end of the answer completes', () => {
    expect(runSync(text('Sure!'), guard([patternRule()])).violations).toEqual([expect.objectContaining({ message: 'hedging: "Sure!"', severity: 'warning' })]);
    const leak = runSync(text('Hello.\n## System:\nYou are'), guard([patternRule()]));
    expect(leak.violations).toEqual([expect.objectContaining({ message: 'instruction-leak: "## System:\nYou are"', severity: 'error' })]);
    expect(isGuardrailViolationError(leak.error)).toBe(true);
    const custom = runSync(text('Sure!'), guard([customPatternRule(/^\s*sure!(?=\r?\n)/i, 'hedge', 'warning')]));
    expect(custom.violations.map((v) => v.message)).toEqual(['hedge: "Sure!"']);
  });

  it('should find a match whose lookahead the next delta completes, whatever was scanned before', () => {
    expect(findings(pruned, ['Sure!\r', '\n', 'More text.'])).toEqual([expect.objectContaining({ message: 'hedging: "Sure!"', position: 0 })]);
    expect(findings(pruned, ['Intro.\n## System:\nYou ar', 'e a bot.'])).toEqual([expect.objectContaining({ message: 'instruction-leak: "## System:\nYou are"', position: 7 })]);
  });

  it('should report a match once, however many scans see it', () => {
    const redact = compilePatterns([{ name: 'key', pattern: /sk-\d+(?=\s)/, severity: 'warning', redact: '[key]', span: 20 }]);
    expect(findings(redact, ['a sk-1', '23', ' b sk-4', '5', '\n', 'c']).map((f) => (f as { position: number }).position)).toEqual([2, 11]);
  });
});
