/** @test {parseStructured} */
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isSchemaValidationError, parseStructured, type L0Event } from 'l0-rx';
import { expectLinearTime, START, tokens } from '../helpers/linearTime.js';

/*
 * The scans of a whole answer at its `complete` (its fences, what follows its JSON at a `length`
 * finish, prose cut after an opening bracket) on adversarial text, in linear time: 4x the text
 * must take under 8x the time (spec/helpers/linearTime.ts). A regex that backtracks over a run of
 * white space, or a search to the end of the text per "```", makes them quadratic.
 */
const KB = 1024;

/** Milliseconds parseStructured takes over `text` in one token, then a `length` finish; its result's truncated flag (or its INVALID_JSON), checked. */
function timeOf(text: string, truncated: boolean | 'INVALID_JSON'): number {
  const events: L0Event[] = [START, { type: 'token', value: text }, { type: 'complete', finishReason: 'length' }];
  const out: L0Event[] = [];
  let error: unknown;
  const started = performance.now();
  from(events).pipe(parseStructured({ schema: z.unknown(), onTruncated: 'accept', partials: false })).subscribe({ next: (e) => out.push(e), error: (e: unknown) => (error = e) });
  const ms = performance.now() - started;
  const result = out.find((e) => e.type === 'result');
  expect(result?.type === 'result' ? result.truncated : isSchemaValidationError(error) && error.code).toBe(truncated);
  return ms;
}

describe('the scans of a whole answer on adversarial text', () => {
  it.each([
    ['an opening bracket after the JSON, then a long run of white space before a word', (n: number) => `{"a": 1} [${' '.repeat(n)}x`, false],
    ['prose with no JSON: an opening bracket, then a long run of white space before a word', (n: number) => `Sure: [${' '.repeat(n)}x`, 'INVALID_JSON' as const],
    ['prose cut after an opening bracket, a long run of white space and a literal\'s start', (n: number) => `Sure: [${' '.repeat(n)}tr`, true],
  ])('should read %s in linear time', (label, text, truncated) => expectLinearTime(label, (n) => timeOf(text(n), truncated), 16 * KB));

  it.each([
    ['one line of inline code spans after the JSON', (n: number) => `{"a": 1}\n${'```a```'.repeat(n / 7)}`],
    ['a run of backticks in a fence after the JSON', (n: number) => `{"a": 1}\n\`\`\`\n${'`'.repeat(n)}`],
    // its close must be a run as long as its opener: each position of a shorter run is no close, read once
    ['a fence of a long run of backticks after the JSON, holding a run one shorter', (n: number) => `{"a": 1}\n${'`'.repeat(n / 4)}\n${'`'.repeat(n / 4 - 1)}\n${'x'.repeat(n / 2)}`],
  ])('should find the fences of %s in linear time', (label, text) => expectLinearTime(label, (n) => timeOf(text(n), false), 256 * KB));
});

describe('the partials of an answer after a code fence whose strings hold brackets', () => {
  // each of those brackets ends a step of the root search (a string's, no root): the search stays O(delta) per token
  it('should stream it in 16-character tokens, partials on, in linear time', () => {
    const text = (n: number) => `\`\`\`py\n${'print("[{x}]")\n'.repeat(n / 15)}\`\`\`\n{"a": 1}`;
    expectLinearTime('fenced strings of brackets', (n) => {
      const out: L0Event[] = [];
      const started = performance.now();
      from(tokens(text(n))).pipe(parseStructured({ schema: z.unknown() })).subscribe({ next: (e) => out.push(e) });
      const ms = performance.now() - started;
      // no bracket of the fence's strings is a root: the partials are the object's alone (`{}` at its first key)
      expect(out.flatMap((e) => (e.type === 'partial' ? [e.value] : [])).filter((v) => JSON.stringify(v) !== '{}')).toEqual([{ a: 1 }]);
      return ms;
    }, 256 * KB);
  });
});
