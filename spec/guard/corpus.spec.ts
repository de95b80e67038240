/** @test {recommendedGuardrails} */
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { detectDrift, guard, recommendedGuardrails, type L0Event } from 'l0-rx';
import bad from './corpus/bad.json' with { type: 'json' };
import good from './corpus/good.json' with { type: 'json' };

/*
 * False positives and recall of recommendedGuardrails plus l0()'s default drift detection
 * (detectDrift: true, i.e. action 'retry' at confidence 0.7) on corpora written for this test:
 * spec/guard/corpus/good.json (ordinary answers: prose, code in 15 languages, JSON, Markdown with
 * tables and fences, LaTeX, lists, 19 languages) and bad.json (refusals, meta commentary, leaked
 * instructions, placeholders, loops, broken JSON/Markdown/LaTeX, drift). "Fires" means the attempt
 * fails (a warning is not a failure). Each text streams in 3-character tokens.
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

  it('should fire on at most 1% of ordinary answers', () => {
    const falsePositives = good.filter(fires);
    console.info(`false positives: ${falsePositives.length}/${good.length}`, falsePositives.map((t) => t.slice(0, 60)));
    expect(falsePositives.length / good.length).toBeLessThanOrEqual(0.01);
  });

  it('should fire on at least 95% of known-bad outputs', () => {
    const missed = bad.filter((t) => !fires(t));
    console.info(`recall: ${bad.length - missed.length}/${bad.length}`, missed.map((t) => t.slice(0, 60)));
    expect((bad.length - missed.length) / bad.length).toBeGreaterThanOrEqual(0.95);
  });
});
