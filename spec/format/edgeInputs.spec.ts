/** @test {formatContext} @test {cleanOutput} @test {formatMemory} @test {createWindow} @test {truncate} @test {textSimilarity} @test {extractCodeBlocks} @test {stripThinking} @test {dedent} @test {toolParameters} */
/* Option checks and edge inputs a review found: non-boolean switches, unchecked window options, a cut emoji in a suffix, NFD accents, a one-line fence. */
import { describe, expect, it } from 'vitest';
import { concatMap, of, timer, type Observable } from 'rxjs';
import { cleanOutput, createWindow, dedent, escapeHtml, escapeRegex, extractCode, extractCodeBlocks, formatContext, formatMemory, normalizeNewlines, removeAnsi, sanitize, stripThinking, textSimilarity, toolDefinition, toolParameters, truncate, type L0Event } from 'l0-rx';

const words = (t: string) => t.trim().split(/\s+/).filter(Boolean).length;
const answer = (text: string, delay = 1): Observable<L0Event> => timer(delay).pipe(concatMap(() => of({ type: 'token', value: text } as L0Event, { type: 'complete', finishReason: 'stop' } as L0Event)));

describe('option checks', () => {
  it.each([
    [{ escape: 'false' }, 'escape'],
    [{ dedent: 0 }, 'dedent'],
  ])('formatContext should reject %j with a TypeError naming the option', (config, key) => {
    expect(() => formatContext('<b>', config as never)).toThrow(TypeError);
    expect(() => formatContext('<b>', config as never)).toThrow(key);
  });

  it.each(['normalizeNewlines', 'stripFences', 'trimLines', 'collapseWhitespace', 'trim'])('cleanOutput should reject a non-boolean %s', (key) => {
    expect(() => cleanOutput('a', { [key]: 'no' } as never)).toThrow(TypeError);
    expect(() => cleanOutput('a', { [key]: 'no' } as never)).toThrow(key);
  });

  it('formatMemory should reject a non-boolean includeTimestamps', () => {
    expect(() => formatMemory([], { includeTimestamps: 'yes' } as never)).toThrow(/includeTimestamps/);
  });

  it('processSequential should reject a carry that is not a function, and processAll an unknown option', () => {
    const w = createWindow('one two', { size: 1, overlap: 0, estimateTokens: words });
    expect(() => w.processSequential(() => answer('x'), { carry: 'context' } as never)).toThrow(/carry/);
    expect(() => w.processAll(() => answer('x'), { concurency: 2 } as never)).toThrow(TypeError);
  });
});

describe('text', () => {
  it('truncate should never split a surrogate pair of the suffix', () => {
    const out = truncate('abcdef', 1, '😀');
    expect(out.length).toBeLessThanOrEqual(1);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(out)).toBe(false);
  });

  it('textSimilarity should see the same word in NFC and NFD as the same', () => {
    expect(textSimilarity('café crème', 'cafe\u0301 cre\u0300me')).toBe(1);
  });
});

describe('extractCodeBlocks', () => {
  it('should not take a one-line ```inline``` span for an opening fence', async () => {
    const { extractCodeBlocks } = await import('l0-rx');
    expect(extractCodeBlocks('```py print(1)```\ntext\n```js\nx\n```')).toEqual([{ language: 'js', code: 'x', unclosed: false }]);
    expect(extractCodeBlocks('~~~ a`b\ny\n~~~')).toEqual([{ language: 'a', code: 'y', unclosed: false }]);
  });
});

// a text that is not a string failed inside a string method ("text.replace is not a function"), naming nothing
describe('text arguments that are not strings', () => {
  it('should name toolParameters(parameters), or toolDefinition({parameters}) when given there, for a value that is no schema', () => {
    expect(() => toolParameters('city' as never)).toThrow("toolParameters(parameters) must be a JSON Schema object or a Standard JSON Schema");
    expect(() => toolDefinition({ name: 'f', parameters: [] as never })).toThrow('toolDefinition({parameters}) must be a JSON Schema object');
  });


  it.each([
    ['cleanOutput(text)', () => cleanOutput(undefined as never)],
    ['cleanOutput(text)', () => cleanOutput({ text: 'a' } as never, {})],
    ['extractCodeBlocks(text)', () => extractCodeBlocks(null as never)],
    ['extractCodeBlocks(text, language)', () => extractCodeBlocks('```js\nx\n```', 1 as never)],
    ['extractCode(text)', () => extractCode(42 as never)],
    ['extractCode(text, language)', () => extractCode('```js\nx\n```', ['js'] as never)],
    ['stripThinking(text)', () => stripThinking(undefined as never)],
    ['formatContext(content)', () => formatContext(null as never)],
    ['normalizeNewlines(text)', () => normalizeNewlines(undefined as never)],
    ['dedent(text)', () => dedent(3 as never)],
    ['truncate(text)', () => truncate(null as never, 3)],
    ['truncate(text, max, suffix)', () => truncate('Hello world', 5, 1 as never)],
    ['escapeHtml(text)', () => escapeHtml({} as never)],
    ['escapeRegex(text)', () => escapeRegex(undefined as never)],
    ['removeAnsi(text)', () => removeAnsi(Buffer.from('x') as never)],
    ['sanitize(text)', () => sanitize(null as never)],
  ])('should throw a TypeError naming %s', (name, call) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(`${name} must be a string, got `);
  });
});
