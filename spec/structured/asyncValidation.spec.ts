/** @test {parseStructured} */
import { concat, from, Subject, takeWhile, throwError, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { parseStructured, type L0Event } from 'l0-rx';

/*
 * Several answers through one parseStructured (runs one after another, `concat(run1, run2)`), each
 * validated by an async schema: an answer's result comes right before its own `complete`, before
 * anything of the next answer, whatever order the validations settle in.
 */

/** A schema whose validations settle only when the spec says so, in the order it says. */
function deferredSchema() {
  const pending: (() => void)[] = [];
  const schema = { '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => new Promise<{ value: unknown }>((resolve) => pending.push(() => resolve({ value }))) } } as const;
  return { schema, pending };
}
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};
const answer = (n: number): L0Event[] => [
  { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  { type: 'token', value: `{"n": ${n}}` },
  { type: 'complete', finishReason: 'stop' },
];

function record(events: Observable<L0Event>): string[] {
  const seen: string[] = [];
  events.subscribe({ next: (e) => seen.push(e.type === 'result' ? `result ${JSON.stringify(e.data)}` : e.type), error: (e: unknown) => seen.push(`error ${String(e)}`), complete: () => seen.push('|') });
  return seen;
}

describe('parseStructured with an async schema, answer after answer', () => {
  const whole = ['start', 'token', 'result {"n":1}', 'complete', 'start', 'token', 'result {"n":2}', 'complete', '|'];

  it("should give each answer its result before the next answer's events, settling in order", async () => {
    const { schema, pending } = deferredSchema();
    const seen = record(concat(from(answer(1)), from(answer(2))).pipe(parseStructured({ schema, partials: false })));
    expect(seen).toEqual(['start', 'token']); // the first answer's validation is pending: the next answer waits
    for (let i = 0; i < 2; i++) {
      pending[i]!();
      await flush();
    }
    expect(seen).toEqual(whole);
  });

  it('should neither end early nor lose a result when the first validation settles after the next one started', async () => {
    const { schema, pending } = deferredSchema();
    const source = new Subject<L0Event>();
    const seen = record(source.pipe(parseStructured({ schema, partials: false })));
    for (const e of [...answer(1), ...answer(2)]) source.next(e);
    source.complete();
    while (pending.length > 0) {
      pending.pop()!(); // the latest first
      await flush();
    }
    expect(seen).toEqual(whole);
  });

  it("should keep the source's error behind the answers before it, as a sync schema does", async () => {
    const boom = new Error('boom');
    const sync = { '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value }) } } as const;
    for (const events of [from(answer(1)), from([...answer(1), answer(2)[0]!])]) {
      const failing = concat(events, throwError(() => boom));
      const { schema, pending } = deferredSchema();
      const seen = record(failing.pipe(parseStructured({ schema, partials: false })));
      pending[0]!();
      await flush();
      // the first answer ended whole: its result is not lost to what failed after it
      expect(seen).toEqual(record(failing.pipe(parseStructured({ schema: sync, partials: false }))));
      expect(seen.slice(2, 4)).toEqual(['result {"n":1}', 'complete']);
    }
  });

  it('should keep the order of what the source sends while the waiting events replay (a consumer feeding it)', async () => {
    const { schema, pending } = deferredSchema();
    const source = new Subject<L0Event>();
    const [start2, token2] = answer(2);
    const seen: string[] = [];
    source.pipe(parseStructured({ schema, partials: false })).subscribe({
      next: (e) => {
        seen.push(e.type === 'result' ? `result ${JSON.stringify(e.data)}` : e.type);
        // the consumer sends the rest of the second answer when its start shows: after the token already waiting
        if (e === start2) {
          source.next({ type: 'complete', finishReason: 'stop' });
          source.complete();
        }
      },
      error: (e: unknown) => seen.push(`error ${String(e)}`),
      complete: () => seen.push('|'),
    });
    for (const e of [...answer(1), start2!, token2!]) source.next(e);
    pending[0]!();
    await flush();
    pending[1]?.();
    await flush();
    expect(seen).toEqual(whole);
  });

  it('should replay a long backlog of answers (every event of a synchronous source waiting behind the first)', async () => {
    const { schema, pending } = deferredSchema();
    // a third answer of 150,000 tokens, still waiting when the second one's validation starts
    const long = [answer(3)[0]!, ...Array.from({ length: 150_000 }, () => ({ type: 'token', value: ' ' }) as const), ...answer(3).slice(1)];
    const seen = record(from([...answer(1), ...answer(2), ...long]).pipe(parseStructured({ schema, partials: false })));
    for (let i = 0; i < 3; i++) {
      pending[i]?.();
      await flush();
    }
    expect(seen.filter((t) => t.startsWith('result') || t === '|')).toEqual(['result {"n":1}', 'result {"n":2}', 'result {"n":3}', '|']);
  });
});

describe('parseStructured when the consumer leaves at the last partial', () => {
  it("should not start the schema's validation (an async lookup) for a consumer that has left", () => {
    const { schema, pending } = deferredSchema();
    // the last partial comes at `complete`: a held-back root settled (`[2]`), a value only repair made (single quotes)
    for (const text of ['The ids are [2]', "{'n': 1}"]) {
      const seen = record(from<L0Event[]>([{ type: 'token', value: text }, { type: 'complete', finishReason: 'stop' }]).pipe(
        parseStructured({ schema }),
        takeWhile((e) => e.type !== 'partial', true), // leaves at the first partial
      ));
      expect(seen.filter((t) => t === 'partial')).toHaveLength(1);
    }
    expect(pending).toHaveLength(0);
  });
});
