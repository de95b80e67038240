/** @test {parseStructured} */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isSchemaValidationError, structured, type L0Event, type ResultEvent } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { runScenario } from '../helpers/runScenario.js';
import { done, resultOf, run, start, text, tok } from './parseStructuredRun.js';

/* A reasoning model's inline thinking at the head of its answer (`<think>…</think>`, the tags of THINKING_TAGS) is no answer. */

const partials = (out: readonly L0Event[]) => out.flatMap((e) => (e.type === 'partial' ? [e.value] : []));
const codeOf = (error: unknown) => (isSchemaValidationError(error) ? error.code : error);

describe('parseStructured after thinking at the head', () => {
  it.each([
    ['a block, tags split across tokens', ['<thi', 'nk>I could send {"name": "x", "n": 1', '}</th', 'ink>\n', '{"name": "a", ', '"n": 2}']],
    ['two blocks and white space around them, upper case', ['  <THINKING>[1]</THINKING>\n<thought>{"name": "x", "n": 1}</thought>', '\n\n{"name": "a", "n": 2}']],
    ['a block, then a fence', ['<reasoning>```json\n{"name": "x", "n": 1}\n```</reasoning>', 'Here:\n```json\n{"name": "a", "n": 2}\n```']],
  ])('should parse the answer after %s, and never show the thinking\'s JSON', (_, chunks) => {
    for (const config of [{}, { partials: false }]) {
      const { out, error } = run(text(...chunks), config);
      expect(error).toBeUndefined();
      expect(resultOf(out)).toMatchObject({ data: { name: 'a', n: 2 }, raw: chunks.join('') });
      expect(partials(out).filter((v) => (v as { name?: string }).name === 'x')).toEqual([]);
    }
    expect(partials(run(text(...chunks)).out).at(-1)).toEqual({ name: 'a', n: 2 });
  });

  it('should take no JSON from thinking after which the model answered in prose, or answered nothing', () => {
    for (const answer of ['I cannot help with that.', '', '\n']) {
      const { out, error } = run(text('<think>{"name": "x", "n": 1}</think>', answer));
      expect([codeOf(error), partials(out)]).toEqual(['INVALID_JSON', []]);
    }
    // a block the answer never left (cut by the token limit) is no answer either
    const cut = run([start, tok('<think>{"name": "x", "n": 1}'), { type: 'complete', finishReason: 'length' }]);
    expect([codeOf(cut.error), partials(cut.out)]).toEqual(['INVALID_JSON', []]);
  });

  it('should fail with the whole text, thinking and all, as the result\'s raw and a schema\'s failure carry it', () => {
    const length: L0Event = { type: 'complete', finishReason: 'length' };
    const call: L0Event = { type: 'tool-call', id: 'c1', name: 'get_weather', arguments: '{}' };
    const cases: [L0Event[], object][] = [
      [text('<think>{"name": "x"}</think>', 'I cannot help.'), {}],
      [[start, tok('<think>hm</think>{"name": "a'), length], {}],
      [text('<think>hm</think>', '{"name": 1, "n": 2}'), {}],
      [text('<think>hm</think>', '{name: "a", n: 2}'), { autoCorrect: false }],
      [[start, tok('<think>hm</think>call it'), call, done], {}],
      [text('<think>hm</think>'), {}],
    ];
    for (const [events, config] of cases) {
      const { error } = run(events, config);
      const whole = events.flatMap((e) => (e.type === 'token' ? [e.value] : [])).join('');
      expect(isSchemaValidationError(error) && error.info.text).toBe(whole);
    }
  });

  it('should fail an answer the token limit cut before it began (all thinking) as cut JSON, as a cut anywhere in the answer', () => {
    const length: L0Event = { type: 'complete', finishReason: 'length' };
    const outcome = (error: unknown) => isSchemaValidationError(error) && [error.code, error.info.truncated, error.retryable];
    for (const onTruncated of ['retry', 'reject', 'accept'] as const) {
      // a cut in the answer: the outcome a cut before it must have (under accept, a value is kept: no error to compare)
      const answerCut = outcome(run([start, tok('<think>hm</think>["'), length], { onTruncated }).error);
      for (const head of ['<think>{"name": "x", "n": 1}</think>', '<think>hm</think>\n\n', '<think>never left {"name": "x"', '<think>hm</think>\n<th', '', '  ']) {
        const { error, out } = run([start, ...(head === '' ? [] : [tok(head)]), length], { onTruncated });
        expect([head, outcome(error), partials(out)]).toEqual([head, onTruncated === 'accept' ? ['INVALID_JSON', true, true] : answerCut, []]);
      }
    }
    // any other finish: prose, as before
    expect(outcome(run(text('<think>hm</think>')).error)).toEqual(['INVALID_JSON', undefined, true]);
  });

  it('should fail an answer that thought of a tool\'s arguments and called it as a tool call, not parse the thought', () => {
    const call: L0Event = { type: 'tool-call', id: 'c1', name: 'get_weather', arguments: '{"city": "Paris"}' };
    const { error } = run([start, tok('<think>call get_weather with {"name": "x", "n": 1}</think>'), call, { type: 'complete', finishReason: 'tool-calls' }]);
    expect(isSchemaValidationError(error) && [error.code, error.info.toolCalls]).toEqual(['INVALID_JSON', ['get_weather']]);
  });

  it('should read a checkpoint\'s thinking at a resume as a token\'s, and the answer after it', () => {
    const cases: [string, string][] = [['<think>maybe {"name": "x", "n": 1}', '</think>{"name": "a", "n": 2}'], ['<think>{"name": "x", "n": 1}</think>{"name": "a",', ' "n": 2}']];
    for (const [checkpoint, rest] of cases) {
      const { out, error } = run([start, { type: 'resume', checkpoint }, tok(rest), done]);
      expect(error).toBeUndefined();
      expect([partials(out).at(0), resultOf(out)]).toMatchObject([{ name: 'a' }, { data: { name: 'a', n: 2 }, raw: checkpoint + rest }]);
    }
  });

  it('should skip thinking after invisible white space at the head (a zero-width space, a byte order mark), as after a space', () => {
    for (const lead of ['\u200b', '\ufeff', '\u180e', ' \u200b\n']) {
      for (const chunks of [[`${lead}<think>{"name": "x", "n": 1}</think>`, '{"name": "a", "n": 2}'], [...`${lead}<think>{"name": "x", "n": 1}</think>{"name": "a", "n": 2}`]]) {
        const { out, error } = run(text(...chunks));
        expect([JSON.stringify(lead), error, partials(out).filter((v) => (v as { name?: string }).name === 'x')]).toEqual([JSON.stringify(lead), undefined, []]);
        expect(resultOf(out)).toMatchObject({ data: { name: 'a', n: 2 }, raw: chunks.join('') });
      }
    }
  });

  it('should read text that only starts like a tag, or thinking after the answer began, as before', () => {
    expect(resultOf(run(text('<b>', '{"name": "a", "n": 2}</b>')).out)).toMatchObject({ data: { name: 'a', n: 2 } });
    expect(resultOf(run(text('<thin {"name": "a", "n": 2}')).out)).toMatchObject({ data: { name: 'a', n: 2 } });
    // thinking that is not at the head is text (splitThinking takes it out anywhere)
    expect(resultOf(run(text('Sure. <think>{"name": "x", "n": 1}</think> {"name": "a", "n": 2}')).out)).toMatchObject({ data: { name: 'x', n: 1 } });
  });

  it('should give structured() the answer after the thinking, on the first call', () => {
    const model = fakeModel({ items: ['<think>The user wants {"name": "draft"}.', '</think>\n\n', '{"name": "Ada"}'] });
    const events = runScenario(() => structured({ schema: z.object({ name: z.string() }), stream: model })).events;
    const result = events.find((e): e is ResultEvent => e.type === 'result');
    expect([result?.data, model.callCount]).toEqual([{ name: 'Ada' }, 1]);
  });
});
