/** @test {parseStructured} */
import { from, Subject, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { parseStructured, type L0Event } from 'l0-rx';

/*
 * A consumer that feeds the source from its own handler (a Subject it answers into, a pull loop): what
 * the source sends then comes while parseStructured is still handling an event. It is handled after
 * that one, as the same events sent one after another are: a result stays right before its own
 * `complete`, an answer is read whole, partials follow their tokens.
 */

const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok = (value: string): L0Event => ({ type: 'token', value });
const done: L0Event = { type: 'complete', finishReason: 'stop' };
const sync = { '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value }) } } as const;
const later = { '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => Promise.resolve({ value }) } } as const;
type Schema = typeof sync | typeof later;

const shown = (e: L0Event): string =>
  e.type === 'result' ? `result ${JSON.stringify(e.data)}` : e.type === 'partial' ? `partial ${JSON.stringify(e.value)}` : e.type === 'token' ? `token ${e.value}` : e.type;

/** What a consumer sees of `events`, ended when the run ends (a promise: an async schema settles later). */
function seen(events: Observable<L0Event>, schema: Schema, onEvent: (e: L0Event) => void = () => undefined): Promise<string[]> {
  const out: string[] = [];
  return new Promise((resolve) => {
    events.pipe(parseStructured({ schema })).subscribe({
      next: (e) => {
        out.push(shown(e));
        onEvent(e);
      },
      error: (e: unknown) => resolve([...out, `error ${String(e)}`]),
      complete: () => resolve([...out, '|']),
    });
  });
}

/** The consumer sends the source its next event (its end after the last) each time it sees an event `feeds` picks. */
function fed(events: readonly L0Event[], schema: Schema, feeds: (e: L0Event) => boolean): Promise<string[]> {
  const source = new Subject<L0Event>();
  let i = 0;
  const send = () => (i < events.length ? source.next(events[i++]!) : i++ === events.length && source.complete());
  const run = seen(source, schema, (e) => feeds(e) && send());
  while (i <= events.length) send();
  return run;
}

describe('parseStructured when the consumer feeds the source from its handler', () => {
  const two = [start, tok('{"n": 1}'), done, start, tok('{"n": 2}'), done];

  it("should keep each result right before its own complete when the consumer sends the next answer (or the end) at a result", async () => {
    const whole = ['start', 'token {"n": 1}', 'partial {"n":1}', 'result {"n":1}', 'complete', 'start', 'token {"n": 2}', 'partial {"n":2}', 'result {"n":2}', 'complete', '|'];
    expect(await fed(two, sync, (e) => e.type === 'result')).toEqual(whole);
    // the source's end sent at the last result: the answer's complete came after it, lost
    expect(await fed(two.slice(0, 3), sync, (e) => e.type === 'result')).toEqual([...whole.slice(0, 5), '|']);
  });

  it.each([['a schema', sync], ['an async schema', later]] as const)(
    'should read an answer whole when the next one starts at its last partial (%s)',
    async (_, schema) => {
      // the held-back root `[2]` is settled and shown at complete: the next start came before the answer was parsed
      const events = [start, tok('The ids are [2]'), done, start, tok('{"n": 3}'), done];
      const got = await fed(events, schema, (e) => e.type === 'partial');
      expect(got).toEqual(await seen(from(events), schema));
      expect(got.slice(2, 5)).toEqual(['partial [2]', 'result [2]', 'complete']);
    },
  );

  it('should show partials in the order of their tokens when the consumer sends the next token at each token', async () => {
    const events = [start, tok('{"a": "x'), tok('y", "b": 1'), tok('}'), done];
    const got = await fed(events, sync, (e) => e.type === 'token');
    expect(got).toEqual(await seen(from(events), sync));
    expect(got.slice(1, 5)).toEqual(['token {"a": "x', 'partial {"a":"x"}', 'token y", "b": 1', 'partial {"a":"xy"}']);
  });
});
