/** @test {parseStructured} */
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { extractJson, parseStructured, type L0Event } from 'l0-rx';

const tok = (value: string): L0Event => ({ type: 'token', value });
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const done: L0Event = { type: 'complete', finishReason: 'stop' };

/** The partials and the result's data (or the error's code) of an answer sent as these tokens. */
function ends(...chunks: string[]) {
  const out: L0Event[] = [];
  let code: unknown;
  from([start, ...chunks.map(tok), done]).pipe(parseStructured({ schema: z.any() })).subscribe({
    next: (e) => out.push(e),
    error: (e: unknown) => (code = (e as { code?: unknown }).code),
  });
  const partials = out.filter((e) => e.type === 'partial').map((e) => (e as { value: unknown }).value);
  const result = out.find((e) => e.type === 'result') as { data: unknown } | undefined;
  return { partials, data: result === undefined ? code : result.data };
}

describe('parseStructured: a number array in an inline code span', () => {
  // [answer, the value]: a code span marks a literal, never a citation or footnote mark
  const answers: [string, unknown][] = [
    ['The ids are `[1, 2]`', [1, 2]],
    ['```[1,2]```', [1, 2]],
    ['Here: ```[3, 4]``` done', [3, 4]],
    ['See `[1]`', [1]],
    ['`[2]` Smith', [2]],
    ['ids:`[5]`.', [5]],
    ['(`[6, 7]`)', [6, 7]],
    ['[`[8]`', [8]], // a `[` that holds no JSON, then a code span
    ['{curly `[9]`', [9]],
    // a backtick after a word or a closing bracket closes a span: the array right after it is a citation
    ['Call `fetch()`[1] here. The ids: `[2, 3]`', [2, 3]],
    ['Run `ls`[2]. Then `[4]`', [4]],
    ['{curly`[3]` then ids: `[4]`', [4]],
    ['[tru`[3]` and `[5]`', [5]],
  ];

  it.each(answers)('should extract the array in %j', (answer, value) => {
    expect(JSON.parse(extractJson(answer).json)).toEqual(value);
  });

  it.each(answers)('should end its partials on the result for %j, token by token and as one token', (answer, value) => {
    expect([ends(...answer), ends(answer)].map(({ partials, data }) => [partials.at(-1), data])).toEqual([[value, value], [value, value]]);
  });
});

describe('parseStructured: an empty root masked at the end of a token', () => {
  // the empty root and the opening of the next one arrive in one token, and the answer ends there
  it.each([
    ['[]{', []],
    ['{}[', {}],
    ['Return [] if none. See [', []],
    ['[] [', []],
  ])('should show the empty root of %j, which the result holds', (answer, value) => {
    expect(ends(answer)).toEqual({ partials: [value], data: value });
  });

  it.each([
    [['[]\n{', '"a"', ': 1}'], [[], { a: 1 }]],
    [['{ }The ids are [1]'], [{}, [1]]], // a `[1]` held for words after it is settled at the end
  ])('should show the empty root, then the root after it once that holds a value: %j', (chunks, partials) => {
    expect(ends(...chunks)).toEqual({ partials, data: partials.at(-1) });
  });
});
