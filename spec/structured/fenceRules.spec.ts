/** @test {extractJson} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRun } from '../helpers/scriptedAnswers.js';
import { runs } from '../helpers/propertyRuns.js';
import { extractJson, isSchemaValidationError, repairJson } from 'l0-rx';
import { FenceScanner, fences } from '../../src/structured/fences.js';

/*
 * One reading of fences for objects (FenceScanner: extraction and the partial parser) and for
 * scalars and cuts (fences(): a fenced scalar, a fence a `length` finish cut): a marker inside a
 * string on its line is none, a backslash escapes the character after it, a `"` after a digit is an
 * inch mark, "~~~" fences as CommonMark has them.
 */
const F = '```';

/** extractJson, repairJson and parseStructured (one character a token, so the partial parser reads it too) on `text`. */
function readings(text: string) {
  const { error, result } = parseRun([...text]);
  return { extracted: extractJson(text), repaired: repairJson(text).value, error, data: result?.data };
}

describe('fences: the scalar and the object readings agree', () => {
  it.each([
    // fences() opened at a quoted marker (the object path never did): the scalar fence after it was lost
    ['a marker quoted in prose before the fence', `Type "${F}" to start.\n${F}json\n`],
    // both opened at an escaped marker: its line was taken for a fence's info string
    ['a backslash-escaped marker in prose before the fence', `Write \\${F} for a literal one:\n${F}json\n`],
    // the inch mark opened a string that hid the fence from extraction (the object came from prose)
    ['an inch mark before the fence on its line', `The 5" screen: ${F}json\n`],
    // "~~~" was no fence: a scalar in one was lost, an object came from prose
    ['a tilde fence', `Sure!\n~~~json\n`],
    ['a four-backtick fence', `Sure!\n${F}\`json\n`],
  ])('should read a fenced scalar and a fenced object after %s', (_, before) => {
    const close = before.includes('~~~') ? '~~~' : before.includes(`${F}\``) ? `${F}\`` : F;
    const scalar = readings(`${before}42\n${close}`);
    expect(scalar).toEqual({ extracted: { json: '42', from: 'fence' }, repaired: 42, error: undefined, data: 42 });
    const object = readings(`${before}{"a": 1}\n${close}`);
    expect(object).toEqual({ extracted: { json: '{"a": 1}', from: 'fence' }, repaired: { a: 1 }, error: undefined, data: { a: 1 } });
  });

  it('should close a "~~~" fence only with "~~~" (a "```" in it is its text), and a "```" fence never with "~~~"', () => {
    expect(extractJson('~~~\nRun ```sh x```? no:\n```\n~~~\n~~~json\n7\n~~~')).toEqual({ json: '7', from: 'fence' });
    expect(extractJson(`${F}md\n~~~\n${F}\n${F}json\n"x"\n${F}`)).toEqual({ json: '"x"', from: 'fence' });
  });

  it.each([
    ['backticks', '`'],
    ['tildes', '~'],
  ])('should close a fence of four %s only at a run of four or more, as CommonMark does: a run of three in it is its text', (_, c) => {
    const [three, four] = [c.repeat(3), c.repeat(4)];
    // a Markdown example showing a JSON fence's opener: its "```json" line closed the "````" fence, and no JSON fence was left
    const example = `${four}md\nStart it with:\n${three}json\n${four}\n`;
    // so prose's {"b": 2} was taken
    expect(readings(`Not {"b": 2}.\n${example}${three}json\n{"a": 1}\n${three}`)).toEqual({ extracted: { json: '{"a": 1}', from: 'fence' }, repaired: { a: 1 }, error: undefined, data: { a: 1 } });
    // the scalar path (fences()): the fenced 42 after it was lost
    expect(readings(`${example}${three}json\n42\n${three}`)).toEqual({ extracted: { json: '42', from: 'fence' }, repaired: 42, error: undefined, data: 42 });
    // a longer run closes it too, and a JSON fence of four reads to its own close
    expect(readings(`${four}md\n${three}\n${c.repeat(5)}\n${four}json\n{"a": 1}\n${four}`)).toEqual({ extracted: { json: '{"a": 1}', from: 'fence' }, repaired: { a: 1 }, error: undefined, data: { a: 1 } });
  });

  it.each([
    ['tilde', '~~~', '```'],
    ['backtick', F, '~~~'],
  ])('should take a run of a %s fence\'s own marker on its last line for its cut close at a length finish, a run of the other for its text', (_, own, other) => {
    // a tilde fence's cut "~~" was read as its body's text (no JSON), and the "```" in one was cut off as its close: 42 taken
    const cut = parseRun([`${own}json\n42\n${own.slice(1)}`], 'length');
    expect([cut.error, cut.result?.data, cut.result?.truncated]).toEqual([undefined, 42, true]);
    const text = parseRun([`${own}json\n42\n${other}`], 'length');
    expect([isSchemaValidationError(text.error) && text.error.info, text.result]).toEqual([{ kind: 'INVALID_JSON', text: `${own}json\n42\n${other}` }, undefined]);
    // after the answer's closed JSON, such a fence is cut as the answer's own is, and only such
    const after = [own.slice(1), other].map((last) => parseRun([`{"a": 1}\n${own}json\n42\n${last}`], 'length').result);
    expect(after.map((r) => [r?.data, r?.truncated])).toEqual([[{ a: 1 }, true], [{ a: 1 }, false]]);
  });

  it('should read an inch mark in a code fence as no string: the JSON after it on its line is found', () => {
    expect(readings(`${F}\nThe 5" screen: {"a": 1}\n${F}`)).toMatchObject({ extracted: { json: '{"a": 1}', from: 'text' }, repaired: { a: 1 }, data: { a: 1 } });
  });

  it.each([
    ['a quote right after a digit that opens a string', `Use size 2"x": ${F}json\n{"x": 1,}\n${F} not {"x": 2}`],
    ['a photo size', `A 5"x7" print: ${F}json\n{"x": 1,}\n${F} not {"x": 2}`],
  ])('should read %s as a quote, no inch mark: the fence after it on its line is the answer', (_, text) => {
    // before, every `"` after a digit was an inch mark: the closing quote opened a string that hid the fence, and prose's {"x": 2} was taken
    expect(readings(text)).toEqual({ extracted: { json: '{"x": 1,}', from: 'fence' }, repaired: { x: 1 }, error: undefined, data: { x: 1 } });
  });

  it('should still take a quoted bracket in a code fence for the string\'s', () => {
    expect(extractJson(`${F}py\nprint("{x}")\n${F}\nResult: {"a": 1}`)).toEqual({ json: '{"a": 1}', from: 'text' });
  });

  // the property: wherever FenceScanner opens the first JSON fence, fences() has that fence, and no earlier one holding an object or array
  const piece = fc.constantFrom(F, '~~~', `${F}\``, '~~~~', '`', '\\', '"', '5"', '\n', ' ', 'json', 'x', '{"a": 1}', '[1]', '42', '"s"');
  it('should find the first JSON fence where fences() has it, for any text of markers, quotes, escapes and values (property)', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
        const text = pieces.join('');
        const open = new FenceScanner().scan(text, 0, text.length);
        const first = fences(text).find(({ body, close }) => {
          if (body === -1) return false;
          const at = text.slice(body).search(/\S/);
          return at !== -1 && /[[{]/.test(text[body + at]!) && (close === -1 || body + at < close);
        });
        expect(open).toBe(first === undefined ? -1 : first.body + text.slice(first.body).search(/\S/));
      }),
      { numRuns: runs(2000) },
    );
  });

  it('should open the first JSON fence at the same place however the text is cut into pieces (property)', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), fc.array(fc.nat(), { maxLength: 8 }), (pieces, cuts) => {
        const text = pieces.join('');
        const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const scanner = new FenceScanner();
        let open = -1;
        for (const [from, to] of [0, ...at].map((c, k, all) => [c, all[k + 1] ?? text.length] as const)) if (open === -1) open = scanner.scan(text, from, to);
        expect(open).toBe(new FenceScanner().scan(text, 0, text.length));
      }),
      { numRuns: runs(2000) },
    );
  });
});

describe('a cut bare string holding brackets', () => {
  it.each([
    ['"ids: [1, 2]', 'ids: [1, 2]'],
    ['"ids: [1, 2', 'ids: [1, 2'],
    ['  "see {a: 1} and ', 'see {a: 1} and '],
  ])('should be that string to extractJson as to repair and parseStructured: %j', (text, value) => {
    expect(extractJson(text)).toEqual({ json: text.trimStart(), from: 'whole' });
    const r = repairJson(text);
    expect([r.value, r.truncated]).toEqual([value, true]);
    for (const finish of ['stop', 'length'] as const) expect(parseRun([text], finish).result).toMatchObject({ data: value, truncated: true });
  });

  it('should still come after a fence', () => {
    expect(extractJson(`"note\n${F}json\n[1, 2]\n${F}`)).toEqual({ json: '[1, 2]', from: 'fence' });
  });
});
