/** @test {recommendedGuardrails} */
import { readFileSync } from 'node:fs';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { detectDrift, guard, recommendedGuardrails, type L0Event } from 'l0-rx';
import bad from './corpus/bad.json' with { type: 'json' };
import good from './corpus/good.json' with { type: 'json' };

/*
 * False positives and recall of recommendedGuardrails plus l0()'s default drift detection
 * (detectDrift: true, i.e. action 'retry' at confidence 0.7) on corpora written for this test:
 * spec/guard/corpus/good.json (ordinary answers: prose, code in 15 languages, JSON, Markdown with
 * tables and fences, LaTeX, lists, 25 languages) and bad.json (refusals, meta commentary, leaked
 * instructions, placeholders, loops, broken JSON/Markdown/LaTeX, drift). "Fires" means the attempt
 * fails (a warning is not a failure). Each text streams in 3-character tokens. No good answer may
 * fire and every bad one must: a text added for a fixed false positive or a missed case stays caught.
 */

const stack = (source: ReturnType<typeof from<L0Event[]>>) => source.pipe(guard(recommendedGuardrails), detectDrift({ action: 'retry' }));

/** Whether the checks fail an attempt that streams `text`. */
function fires(text: string): boolean {
  const tokens = text.match(/[\s\S]{1,3}/g) ?? [];
  const events: L0Event[] = [...tokens.map((value): L0Event => ({ type: 'token', value })), { type: 'complete', finishReason: 'stop' }];
  let failed = false;
  stack(from(events)).subscribe({ error: () => (failed = true) });
  return failed;
}

describe('recommendedGuardrails + detectDrift on the corpora', () => {
  it('should hold at least 200 good and 100 bad texts', () => {
    expect(good.length).toBeGreaterThanOrEqual(200);
    expect(bad.length).toBeGreaterThanOrEqual(100);
  });

  it('should fire on none of the ordinary answers', () => {
    const falsePositives = good.filter(fires);
    expect(falsePositives.map((t) => t.slice(0, 60)), `false positives: ${falsePositives.length}/${good.length}`).toEqual([]);
  });

  it('should fire on every known-bad output', () => {
    const missed = bad.filter((t) => !fires(t));
    expect(missed.map((t) => t.slice(0, 60)), `missed: ${missed.length}/${bad.length}`).toEqual([]);
  });

  it("should be the corpora the README's figures count", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const figures = /corpus\/: (\d+) ordinary answers .*? (\d+) known-bad outputs.*?\*\*0 of (\d+)\*\* ordinary answers.*?\*\*(\d+) of (\d+)\*\* bad ones/.exec(readme);
    expect(figures?.slice(1).map(Number)).toEqual([good.length, bad.length, good.length, bad.length, bad.length]);
  });
});
