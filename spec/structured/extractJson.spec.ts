/** @test {extractJson} */
import { describe, expect, it } from 'vitest';
import { extractJson, repairJson } from 'l0-rx';

describe('extractJson', () => {
  it.each([
    ['Sure! ```json\n{"a":1}\n``` Enjoy', { json: '{"a":1}', from: 'fence' }],
    ['Use {curly} then {"a":1}.', { json: '{"a":1}', from: 'text' }],
    ['[1, 2, 3]', { json: '[1, 2, 3]', from: 'whole' }],
    ['See [2]. The ids: [3, 4]', { json: '[3, 4]', from: 'text' }],
    ['Return [] if none. Result: {"a": 1}', { json: '{"a": 1}', from: 'text' }],
    ['[]\n\nActually: {"a": 1}', { json: '{"a": 1}', from: 'text' }],
    ['{} or {"a": 1,}', { json: '{"a": 1,}', from: 'text' }],
    ['The answer is [] (none found).', { json: '[]', from: 'text' }],
  ])('should find the JSON in %j', (text, expected) => {
    expect(extractJson(text)).toEqual(expected);
  });

  it.each([
    ['Sure! {name: "Ada", tags: ["x"]}', '{name: "Ada", tags: ["x"]}'],
    ["Result: {'ids': [1, 2]}", "{'ids': [1, 2]}"],
    ['Here: {\'a\': 1, \'b\': {"c": 2}} done', '{\'a\': 1, \'b\': {"c": 2}}'],
    ["In Python: {'q': 1}. As JSON: {\"q\": 1}", '{"q": 1}'],
  ])('should take a JSON-like object in prose whole, never a valid value inside it: %j', (text, json) => {
    expect(extractJson(text)).toEqual({ json, from: 'text' });
  });

  describe('bracketed citations and footnotes', () => {
    it.each([
      'I found [1] source',
      'See [2].',
      'Studies agree [1, 2] on this.',
      'As shown in [3], it works [4].',
      '[1] Smith, J. (2020). On numbers.',
      'The sources are [1] and [2].',
    ])('should not take a citation as the JSON: %j', (text) => {
      expect(extractJson(text)).toEqual({ json: text.trim(), from: 'whole' });
    });

    it.each([
      ['According to [1], the answer is: {"a": 1}', '{"a": 1}'],
      ['[1] says so. Here:\n{"a": 1}', '{"a": 1}'],
      ['See [2]. The list:\n[3, 4]', '[3, 4]'],
    ])('should skip a citation before the JSON: %j', (text, json) => {
      expect(extractJson(text)).toEqual({ json, from: 'text' });
    });

    it.each([
      ['The answer is [1, 2, 3].', '[1, 2, 3]'],
      ['Here are the ids: [1, 2]', '[1, 2]'],
      ['Result:\n[7]\n', '[7]'],
      ['ids = [1, 2]', '[1, 2]'],
      ['Sorted: [-1, 0]', '[-1, 0]'],
      ['Sure! [4, 5]', '[4, 5]'],
      ['The tags are ["a", "b"] as asked', '["a", "b"]'],
      ['[2, 3, 5] are the primes asked for.', '[2, 3, 5]'],
      ['The answer is [1, 2] because both fit.', '[1, 2]'],
    ])('should take an array of numbers that the prose introduces: %j', (text, json) => {
      expect(extractJson(text)).toEqual({ json, from: 'text' });
    });
  });

  it('should end an unclosed fence where its object closes, before the prose after it', () => {
    expect(extractJson('Here:\n```json\n{"a": 1}\nHope it helps [2].')).toEqual({ json: '{"a": 1}', from: 'fence' });
  });

  it.each([
    ['```json\n[1,2]See ```python\nprint(1)\n```', '[1,2]'],
    ['```json\n{"a": 1}\nNote: all fields are set.\n```', '{"a": 1}'],
    ['```json\n{"a": 1}\n{"b": 2}\n```', '{"a": 1}'],
  ])('should end a fence\'s JSON where its object or array closes, as the partials do: %j', (text, json) => {
    expect(extractJson(text)).toEqual({ json, from: 'fence' });
  });

  it.each([
    ['```json [\n  {"a": 1},\n  {"b": 2}\n]\n```', { json: '{"a": 1}', from: 'fence' }],
    ['```: [1, 2]```\n{"a": 1}', { json: '[1, 2]', from: 'text' }],
    ['```json [1, 2] ```\n```json\n{"b": 2}\n```', { json: '{"b": 2}', from: 'fence' }],
  ])('should read a fence opener\'s line as its info string, never its body, and a "```" closed on that line as inline code: %j', (text, expected) => {
    expect(extractJson(text)).toEqual(expected);
  });

  it.each([
    ['Here:\n[\n  {"q": "Fix ```js\\nf()\\n```"},\n  {"q": "Done"}\n]', '[\n  {"q": "Fix ```js\\nf()\\n```"},\n  {"q": "Done"}\n]', 'text'],
    ['Send {"s": "a 5\\" pipe, ```"} then\n```json\n{"b": 2}\n```', '{"b": 2}', 'fence'],
    ['He said "use ```json" here:\n{"a": 1}', '{"a": 1}', 'text'],
  ])('should not take a "```" inside a double-quoted string for a fence: %j', (text, json, from) => {
    expect(extractJson(text)).toEqual({ json, from });
  });

  it("should not take prose whose brackets happen to balance at the end for the answer: [it's] ... {\"'\": 1}", () => {
    expect(extractJson("[Editor's note] Here:\n{\"'[\": 1}")).toEqual({ json: "{\"'[\": 1}", from: 'text' });
  });

  it('should skip prose in brackets at the very start of the answer', () => {
    expect(extractJson('[Note] Here it is: {"a": 1}')).toEqual({ json: '{"a": 1}', from: 'text' });
  });

  it.each([
    ["[Editor's note] Here: {\"a\": 1}"],
    ["Use {it's fine} then {\"a\": 1}"],
    ["[it's] and [it's] and [it's] and [it's] here: {\"a\": 1}"],
  ])('should look past bracketed prose with an apostrophe, which never closes as JSON: %j', (text) => {
    expect(extractJson(text)).toEqual({ json: '{"a": 1}', from: 'text' });
  });
});

describe('extractJson and repairJson arguments', () => {
  // repairJson(1) returned {value: 1, json: 1} (JSON.parse read the number), extractJson(1) failed inside String.prototype.trim
  it.each([
    [() => repairJson(1 as never), 'repairJson(text) must be a string, got number'],
    [() => repairJson(null as never), 'repairJson(text) must be a string, got null'],
    [() => extractJson(1 as never), 'extractJson(text) must be a string, got number'],
    [() => extractJson(undefined as never), 'extractJson(text) must be a string, got undefined'],
  ])('should throw a TypeError naming a text that is not a string (%#)', (call, message) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });
});
