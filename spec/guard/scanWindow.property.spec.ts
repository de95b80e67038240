/** @test {TailScanner} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guard, latexRule, patternRule, type GuardRule, type GuardRuleRun } from 'l0-rx';
import { compilePatterns, PatternRun, type PatternSpec } from '../../src/guard/rules/patternScan.js';
import { DECIDED, findingsOf, type GuardFinding, type GuardFindings } from '../../src/guard/guardRule.js';
import { runs } from '../helpers/propertyRuns.js';
import { runSync, text } from './helpers.js';

/*
 * A scan looks again only at the starts an earlier scan may have failed for want of text (within a
 * pattern's span and what its regex may read past a match), keeps only the text the next scan can
 * reach, and runs a family only when one of its trigger characters is in the text. The reference is
 * the same run fed the whole text at once, which no window, rescan or trigger gate cuts: every
 * chunking must give its findings. The texts put the phrases far into the answer (past the families'
 * `within`), after fillers of every length, so that their starts and ends fall on every side of a
 * chunk's edge. (Written for a narrower rescan the twenty-third session measured and did not keep,
 * see bench/RESULTS.md; it holds the scanner as it is.)
 */

type Decided = GuardFinding & { [DECIDED]?: number };

/**
 * Every finding of a run fed `chunks`, then completed, in the order the text decided them (the
 * engine's order, see VerdictBuilder: one check's list is in pattern order, which a chunking moves);
 * the completion's last, without the point the text decided them (the engine reads none there).
 */
function findings(rule: GuardRule | (() => GuardRuleRun), chunks: readonly string[]): Decided[] {
  const run = typeof rule === 'function' ? rule() : rule.create!();
  const out = chunks.flatMap((c) => findingsOf(run.check!(c, '') as GuardFindings) as Decided[]);
  // the completion's findings are decided at the end, whatever they say (VerdictBuilder.decide's `atEnd`)
  const all = [...out, ...(findingsOf(run.complete!('') as GuardFindings) as Decided[]).map(({ [DECIDED]: _, ...f }) => f)];
  const at = (f: Decided): number => f[DECIDED] ?? Infinity;
  return all.sort((a, b) => at(a) - at(b) || (a.position ?? 0) - (b.position ?? 0) || (a.message < b.message ? -1 : 1));
}

/** `all` cut into chunks of the sizes given, in turn. */
function split(all: string, sizes: readonly number[]): string[] {
  const chunks: string[] = [];
  for (let at = 0, k = 0; at < all.length; k++) chunks.push(all.slice(at, (at += sizes[k % sizes.length]!)));
  return chunks;
}

const filler = fc.integer({ min: 0, max: 120 }).map((n) => 'the quick brown fox jumps over the lazy dog. '.repeat(3).slice(0, n));
/** The phrases of meta commentary (the longest reads: "I am just an AI language model" and the word after), leaks and placeholders, near misses. */
const PHRASES = [
  'I am just an AI language model        developed', "I'm an AI trained", "I'm an AI enthusiast", 'As an AI, I', 'but as an AI assistant',
  'I apologize, but I do not understand', "I'm sorry, but I can not make it", "I'm sorry, but I can't", "I don't have personal opinions",
  'as an artificial intelligence language model,', '"As an AI language model"', '[system]', '<|im_start|>', '\n### System\nYou are', '\n## Instructions\n\nRespond',
  '[insert your name]', '[your company here]', '[TODO]', '`[TODO]`', '```\n[system]\n```\n', '\n\n', '`', '~~~', '\\begin{a}', '\\end{b}', '\\[', '\\]', '$$', '\\frac', '\\\\', '\\$',
];
const textAndSplit = fc.tuple(
  fc.array(fc.tuple(filler, fc.constantFrom(...PHRASES)), { minLength: 1, maxLength: 8 }),
  fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 8 }),
).map(([pieces, sizes]) => {
  // past refusal's, hedging's and format collapse's `within`: the families that scan for good
  const all = 'x'.repeat(320) + pieces.map(([f, p]) => f + p).join('');
  return { all, chunks: split(all, sizes) };
});

describe('TailScanner: the rescan window, the kept text and the trigger search (property)', () => {
  it('should give patternRule() the findings of the whole text at once, for every chunking', () => {
    let found = 0;
    fc.assert(
      fc.property(textAndSplit, ({ all, chunks }) => {
        const whole = findings(patternRule(), [all]);
        found += whole.length;
        expect(findings(patternRule(), chunks)).toEqual(whole);
      }),
      { numRuns: runs(600) },
    );
    expect(found).toBeGreaterThan(runs(150));
  });

  it('should give patternRule() resumed from a checkpoint the findings of the rest at once, for every chunking of the rest', () => {
    // the checkpoint is kept whole until the first scan after it, which trims it to what its patterns reach
    const resumed = (checkpoint: string) => () => {
      const run = patternRule().create!();
      run.resume!(checkpoint);
      return run;
    };
    fc.assert(
      fc.property(textAndSplit, fc.nat(), ({ all, chunks }, cut) => {
        const at = 320 + (cut % (all.length - 320));
        const rest = split(all.slice(at), chunks.map((c) => c.length));
        expect(findings(resumed(all.slice(0, at)), rest)).toEqual(findings(resumed(all.slice(0, at)), [all.slice(at)]));
      }),
      { numRuns: runs(400) },
    );
  });

  it('should report after a resume a match the earlier attempt held, which starts more than its rereads before the checkpoint\'s end', () => {
    // a placeholder waits 85 characters after it (a refusal first): this one was held when the attempt ended
    const checkpoint = `${'x'.repeat(400)}[your company here]${' filler'.repeat(12)}`;
    const run = patternRule().create!();
    run.resume!(checkpoint);
    const found = [...(findingsOf(run.check!(' and more text after it, long enough to settle it.'.repeat(2), '') as GuardFindings))];
    expect(found.map((f) => [f.message, f.position])).toEqual([['placeholder: "[your company here]"', 400]]);
  });

  it('should report at completion a match the earlier attempt held at the checkpoint\'s end when the resumed attempt adds no text', () => {
    const checkpoint = `${'x'.repeat(400)}[your company here]${' filler'.repeat(3)}`;
    const run = patternRule().create!();
    run.resume!(checkpoint);
    const found = [...(findingsOf(run.complete!('') as GuardFindings))];
    expect(found.map((f) => [f.message, f.position])).toEqual([['placeholder: "[your company here]"', 400]]);
    // one the earlier attempt reported (settled inside the checkpoint) is not reported again
    const settled = patternRule().create!();
    settled.resume!(`${checkpoint}${' and more text after it, long enough to settle it.'.repeat(2)}`);
    expect(findingsOf(settled.complete!('') as GuardFindings)).toEqual([]);
  });

  // a resume read the checkpoint's code markers and the scan read those near its end again (a fence or backtick there
  // opened and closed its block), and a placeholder family alone skipped a quoted line's break whose look-ahead the
  // checkpoint cut (it ended in the next line's `>` marks)
  it('should read the Markdown code of a resumed checkpoint as the whole text does, wherever it is cut', () => {
    const piece = fc.constantFrom('```', '~~~', '`', '``', '> ', '>', '\n', '\n\n', ' ', '    ', 'x', 'sh', '- ', '[insert name]', '[TODO]', '<|im_start|>');
    const families = fc.constantFrom(['placeholder'] as const, ['refusal', 'placeholder'] as const, ['instruction-leak'] as const);
    const messages = (events: Parameters<typeof runSync>[0], categories: Parameters<typeof patternRule>[0]) =>
      runSync(events, guard([patternRule(categories)])).violations.map((v) => v.message);
    fc.assert(
      fc.property(fc.array(piece, { minLength: 2, maxLength: 14 }), families, fc.nat(), (pieces, categories, cut) => {
        const all = pieces.join('');
        // the checkpoint ends before the first match (one inside it was the earlier attempt's to report)
        const first = all.search(/[[<]/);
        fc.pre(first !== 0);
        const at = 1 + (cut % (first < 0 ? all.length - 1 : first));
        expect(messages([{ type: 'resume', checkpoint: all.slice(0, at) }, ...text(all.slice(at))], { categories })).toEqual(messages(text(all), { categories }));
      }),
      { numRuns: runs(600) },
    );
  });

  it('should give latexRule() the findings of the whole text at once, for every chunking', () => {
    let found = 0;
    fc.assert(
      fc.property(textAndSplit, ({ all, chunks }) => {
        const whole = findings(latexRule(), [all]);
        found += whole.length;
        expect(findings(latexRule(), chunks)).toEqual(whole);
      }),
      { numRuns: runs(400) },
    );
    expect(found).toBeGreaterThan(runs(40));
  });

  it('should find with a trigger gate what the same patterns find ungated, whatever the trigger characters (a class\'s `[ ] \\ ^ -`)', () => {
    const specs: PatternSpec[] = [
      { name: 'bracket', pattern: /\[[a-z]{1,8}\]/, severity: 'error', span: 12 },
      { name: 'caret', pattern: /\^\d{1,3}/, severity: 'error', span: 6 },
      { name: 'slash', pattern: /\\[a-z]{2,6}-\d/, severity: 'error', span: 10 },
    ];
    const gated = compilePatterns(specs, ['[]', '^', '\\-']);
    const ungated = compilePatterns(specs);
    const piece = fc.constantFrom('[abc]', '[ab', 'c]', '^12', '^', '\\frac-1', '\\x-', '2', '-', ' ', 'word ', 'x'.repeat(30));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 6 }), (pieces, sizes) => {
        const chunks = split(pieces.join(''), sizes);
        expect(findings(() => new PatternRun(gated), chunks)).toEqual(findings(() => new PatternRun(ungated), chunks));
      }),
      { numRuns: runs(800) },
    );
  });
});
