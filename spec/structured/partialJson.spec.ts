/** @test {PartialJsonParser} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { repairJson } from 'l0-rx';
import { PartialJsonParser } from '../../src/structured/partialJson.js';

/** Feeds `text` in pieces of `size`; returns every snapshot taken when the parser asked for one. */
function partials(text: string, size = 1): unknown[] {
  const parser = new PartialJsonParser();
  const out: unknown[] = [];
  for (let i = 0; i < text.length; i += size) if (parser.feed(text.slice(i, i + size))) out.push(parser.snapshot());
  return out;
}

const DOC = '{"a": "https://x.com/{}", "b": [1, 2.5e3, true, null, {"c": "\\u00e9\\"x,}"}], "d": "😀"}';

describe('PartialJsonParser', () => {
  it.each([1, 2, 3, 7, 1000])('should end on the parsed document, fed %i characters at a time', (size) => {
    expect(partials(DOC, size).at(-1)).toEqual(JSON.parse(DOC));
  });

  it.each([
    ['{"a": [1, {"b": "hel', { a: [1, { b: 'hel' }] }],
    ['{"a": "x", "b', { a: 'x' }],
    ['{"a": 12', {}],
    ['[1, 2, tr', [1, 2]],
    ['{"a": "\\u00', { a: '' }],
    ['Sure! ```json\n{"a": [', { a: [] }],
  ])('should show %j as %j', (text, expected) => {
    const parser = new PartialJsonParser();
    parser.feed(text);
    expect(parser.snapshot()).toEqual(expected);
  });

  it('should not ask for a snapshot when a delta changes nothing visible', () => {
    const parser = new PartialJsonParser();
    parser.feed('{"a": 1,');
    parser.snapshot();
    expect([parser.feed(' "lo'), parser.feed('ng"'), parser.feed(' ')]).toEqual([false, false, false]);
  });

  it('should not ask for a snapshot at a closing quote or bracket, which change nothing shown', () => {
    const parser = new PartialJsonParser();
    parser.feed('{"a": ["x');
    parser.snapshot();
    expect(['"', ']', '}'].map((c) => parser.feed(c))).toEqual([false, false, false]);
  });

  it('should ask for a snapshot at a closing quote that ends a string on a lone high surrogate', () => {
    const parser = new PartialJsonParser();
    parser.feed('{"e": "a\\ud83d');
    const first = parser.snapshot();
    expect([first, parser.feed('"}'), parser.snapshot()]).toEqual([{ e: 'a' }, true, { e: 'a\ud83d' }]);
  });

  it('should ignore prose before the root and anything after it', () => {
    const parser = new PartialJsonParser();
    parser.feed('Here it is: {"a": 1} and {"b": 2}');
    expect([parser.snapshot(), parser.done]).toEqual([{ a: 1 }, true]);
  });

  it.each([
    ['Sure [see below]: {"a": [1,'],
    ['Use {curly} braces: {"a": [1,'],
    ['Note [the end] {"a": [1,'],
    ["[Editor's note] Here: {\"a\": [1,"],
  ])('should skip bracketed prose before the JSON: %j', (text) => {
    const parser = new PartialJsonParser();
    parser.feed(text);
    expect(parser.snapshot()).toEqual({ a: [1] });
  });

  it.each([
    [['I found [1] source'], undefined],
    [['See [2].'], undefined],
    [['Studies [1, 2', '] agree'], undefined],
    [['According to [1], the answer: {"a": ', '1}'], { a: 1 }],
    [['See [2]. The ids:\n[3, ', '4]'], [3, 4]],
    [['The answer is [1, 2', ', 3]'], [1, 2, 3]],
  ])('should skip a bracketed citation, never a root: %j', (chunks, expected) => {
    const parser = new PartialJsonParser();
    const asked = chunks.map((c) => parser.feed(c));
    expect([parser.snapshot(), asked.at(-1)]).toEqual([expected, expected !== undefined]);
  });

  it('should take a citation split over deltas for prose', () => {
    const parser = new PartialJsonParser();
    expect(['See ', '[', '1', ']', ' and ', '[2', ']'].map((c) => parser.feed(c))).not.toContain(true);
    expect(parser.snapshot()).toBeUndefined();
  });

  it.each([
    ['{name: "Ada", tags: ["x"]}'],
    ['{name', ': "Ada", tags: ["x"]}'],
    ['{"name": \'Ada\', "address": {"city": "Paris"}}'],
    ["['a', {\"b\": 1}]"],
  ])('should read past a root whose first member is not JSON, never rooting at a container inside it: %j', (...chunks) => {
    const parser = new PartialJsonParser();
    for (const c of chunks) parser.feed(c);
    expect([parser.done, parser.snapshot()]).toEqual([false, undefined]);
  });

  it('should go on searching after a word in braces that is not a key: {curly braces} then JSON', () => {
    const parser = new PartialJsonParser();
    parser.feed('Use {curly ');
    parser.feed('braces} and {"a": 1}');
    expect(parser.snapshot()).toEqual({ a: 1 });
  });

  it('should let a later root replace an empty one: inline `[]` in prose before a fence', () => {
    const parser = new PartialJsonParser();
    parser.feed('Use `[]` for none.\n```json\n{"a": ');
    parser.feed('"x"}\n```');
    expect([parser.snapshot(), parser.done]).toEqual([{ a: 'x' }, true]);
  });

  describe('a fence after the root (extractJson takes the first fence that holds an object or array)', () => {
    it('should replace a root from prose with the body of a later JSON fence', () => {
      const parser = new PartialJsonParser();
      const asked = ['You could send {"a": 1}, but the answer is:\n', '```json\n{"b": 2}\n```'].map((c) => [parser.feed(c), parser.snapshot()]);
      expect([asked, parser.done]).toEqual([[[true, { a: 1 }], [true, { b: 2 }]], true]);
    });

    it.each([
      ['You could send {"a": 1}:\n```json\n{"b": 2}\n```\nor\n```json\n{"c": 3}\n```', { b: 2 }],
      ['```json\n[]\n```\nor\n```json\n{"c": 3}\n```', []],
      ['```json\n{}\n```\nThen {"c": 3}', {}],
    ])('should keep a root that is a fence body, even an empty one, over what follows: %j', (text, expected) => {
      expect(partials(text).at(-1)).toEqual(expected);
    });

    it.each([
      ['Send {"a": 1} like this:\n```python\npost(url, json={"b": 2})\n```\nAs JSON:\n```json\n{"c": 3}\n```'],
      ['Send {"a": 1} like this:\n```python\nprint("```")\npost(url, json={"b": 2})\n```\nAs JSON:\n```json\n{"c": 3}\n```'],
    ])('should skip a fence that holds no object or array: %j', (text) => {
      const shown = partials(text) as object[];
      expect([shown.find((p) => 'b' in p), shown.at(-1)]).toEqual([undefined, { c: 3 }]);
    });

    it('should replace a root that is not JSON (`{name: ...}`) with a later fenced one', () => {
      expect(partials('In JavaScript: {name: "Ada"}. As JSON:\n```json\n{"name": "Ada"}\n```').at(-1)).toEqual({ name: 'Ada' });
    });

    it.each([
      ['```json [\n  {"a": 1},\n  {"b": 2}\n]\n```', { a: 1 }],
      ['```json {"a":\n[1]}\n```', [1]],
      ['```: [1, 2]```\n{"a": 1}', [1, 2]],
    ])('should read a fence opener\'s line as its info string, never its body, and a "```" closed on that line as inline code: %j', (text, expected) => {
      expect([1, 1000].map((size) => partials(text, size).at(-1))).toEqual([expected, expected]);
    });

    it('should not read a "```" in a string of the root as a fence', () => {
      expect(partials('Send {"fence": "```json"} with\n{"b": 2}\nafter it', 3).at(-1)).toEqual({ fence: '```json' });
    });

    it('should read a fence opener split across deltas (`` then `json)', () => {
      const text = 'You could send {"a": 1}, but the answer is:\n```json\n{"b": 2}\n```';
      const at = text.indexOf('```');
      const cuts = [[1], [2], [3], [7], [1, 2], [1, 2, 3]].map((ks) => [0, ...ks.map((k) => at + k), text.length]);
      const ends = cuts.map((points) => {
        const parser = new PartialJsonParser();
        points.slice(1).forEach((to, k) => parser.feed(text.slice(points[k], to)));
        return parser.snapshot();
      });
      expect(ends).toEqual(cuts.map(() => ({ b: 2 })));
    });

    it('should end on the fenced value after JSON in prose, whatever the split points, as repairJson does (property)', () => {
      const plain = fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue())).filter((v) => !JSON.stringify(v).includes('`'));
      const fenced = fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()));
      const middles = ['', 'Or in Python:\n```python\npost(url, json={"x": 1}, s="```")\n```\nAs JSON:\n', 'Not like ``this``:\n'];
      fc.assert(
        fc.property(plain, fc.constantFrom(...middles), fenced, fc.array(fc.nat()), (inline, middle, value, cuts) => {
          const json = JSON.stringify(value, null, cuts.length % 3);
          const text = `You could send ${JSON.stringify(inline)}, but the answer is:\n${middle}\`\`\`json\n${json}\n\`\`\``;
          expect(repairJson(text).value).toEqual(JSON.parse(json));
          const points = [...new Set(cuts.map((c) => c % text.length))].sort((a, b) => a - b);
          const parser = new PartialJsonParser();
          [...points, text.length].reduce((from, to) => (parser.feed(text.slice(from, to)), to), 0);
          expect(parser.snapshot()).toEqual(JSON.parse(json));
        }),
      );
    });
  });

  it('should keep an empty root when what follows it is prose', () => {
    const parser = new PartialJsonParser();
    parser.feed('[] and {curly}');
    expect([parser.snapshot(), parser.done]).toEqual([[], true]);
  });

  it('should not ask for a snapshot while the only root found was prose', () => {
    const parser = new PartialJsonParser();
    expect([parser.feed('Use {curly} braces.\n'), parser.feed('{"a": "x"}'), parser.snapshot()]).toEqual([false, true, { a: 'x' }]);
  });

  it('should not ask for a snapshot of a root that holds nothing yet', () => {
    const parser = new PartialJsonParser();
    expect([parser.feed('Here is the list ['), parser.feed('see below]: {"a": 1}'), parser.snapshot()]).toEqual([false, true, { a: 1 }]);
  });

  it('should keep a high surrogate back until its low half arrives in a later delta', () => {
    const parser = new PartialJsonParser();
    parser.feed('{"e": "\\ud83d');
    const first = parser.snapshot();
    parser.feed('\\ude00 ok"}');
    expect([first, parser.snapshot()]).toEqual([{ e: '' }, { e: '\u{1F600} ok' }]);
  });

  it('should keep a lone high surrogate as JSON.parse does', () => {
    const parser = new PartialJsonParser();
    parser.feed('["\\ud83d\\ud83d\\ude00", "\\ud83d x"]');
    expect(parser.snapshot()).toEqual(JSON.parse('["\\ud83d\\ud83d\\ude00", "\\ud83d x"]'));
  });

  it('should ask for no snapshot on text that is not JSON, then read on after that root to valid JSON, as extraction does', () => {
    const parser = new PartialJsonParser();
    parser.feed('{"a": 1, ');
    parser.snapshot();
    expect([parser.feed("'b': [2, '}']"), parser.feed('} or {"c":'), parser.feed(' 3}')]).toEqual([false, false, true]);
    expect(parser.snapshot()).toEqual({ c: 3 });
  });

  it('should never set a prototype from a __proto__ key', () => {
    const [last] = partials('{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}}', 1000) as Record<string, unknown>[];
    expect([Object.getPrototypeOf(last), Object.keys(last!), ({} as Record<string, unknown>)['polluted']]).toEqual([
      Object.prototype, ['__proto__', 'constructor'], undefined,
    ]);
  });

  it('should hand out immutable snapshots, sharing closed containers', () => {
    const parser = new PartialJsonParser();
    parser.feed('{"done": {"x": 1}, "open": [1,');
    const first = parser.snapshot() as { done: object; open: number[] };
    parser.feed(' 2,');
    const second = parser.snapshot() as { done: object; open: number[] };
    expect([first.open, second.open, second.done === first.done, Object.isFrozen(first.open)]).toEqual([[1], [1, 2], true, true]);
  });

  it('should coalesce snapshots of a huge open container so copying stays proportional to the input', () => {
    const items = Array.from({ length: 5000 }, (_, i) => i);
    const asked = partials(JSON.stringify(items), 2).length;
    expect(asked).toBeLessThan(1000);
  });

  it('should end on any JSON document in prose, whatever the split points, as repairJson does (property)', () => {
    const preambles = ['', 'Sure! ', 'Here it is:\n```json\n', 'See [1]. The answer is: ', 'Use {curly} and [the docs]:\n', "[Editor's note] Here:\n"];
    const endings = ['', '\n```', ' Hope it helps [2].'];
    const containers = fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()));
    fc.assert(
      fc.property(containers, fc.constantFrom(...preambles), fc.array(fc.nat()), fc.constantFrom(...endings), (value, preamble, cuts, ending) => {
        const json = JSON.stringify(value, null, cuts.length % 3);
        const text = preamble + json + ending;
        expect(repairJson(text).value).toEqual(JSON.parse(json));
        const points = [...new Set(cuts.map((c) => c % text.length))].sort((a, b) => a - b);
        const parser = new PartialJsonParser();
        [...points, text.length].reduce((from, to) => (parser.feed(text.slice(from, to)), to), 0);
        expect(parser.snapshot()).toEqual(JSON.parse(json));
      }),
    );
  });

  it('should parse any JSON document to itself, whatever the chunking (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue())), fc.integer({ min: 1, max: 9 }), (value, size) => {
        const text = JSON.stringify(value);
        const parser = new PartialJsonParser();
        for (let i = 0; i < text.length; i += size) parser.feed(text.slice(i, i + size));
        parser.end(); // a root of one integer (`[0]`) waits for the answer's end: it may be a footnote mark
        expect([parser.done, JSON.stringify(parser.snapshot())]).toEqual([true, text]);
      }),
    );
  });
});
