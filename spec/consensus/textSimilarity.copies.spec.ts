/** @test {consensus} textSimilarity from another copy of the package */
import { NEVER } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { consensus, textSimilarity } from 'l0-rx';

/** The textSimilarity of a second copy of the module, as an app that loads both the ESM and the CJS build has. */
async function otherCopy(): Promise<typeof textSimilarity> {
  vi.resetModules();
  return (await import('../../src/consensus/textSimilarity.js')).textSimilarity;
}

describe('consensus with the textSimilarity of another copy of the package', () => {
  it('should accept it with parse, as the default it is, where a custom similarity is refused', async () => {
    const copy = await otherCopy();
    expect(copy).not.toBe(textSimilarity);
    // was the TypeError of a custom similarity: `consensus(sources, {similarity}) is for text: parse and schema vote fields by value`
    expect(() => consensus([NEVER, NEVER], { parse: (text: string) => text.length, similarity: copy })).not.toThrow();
    expect(() => consensus([NEVER, NEVER], { parse: (text: string) => text.length, similarity: (a: string, b: string) => copy(a, b) })).toThrow(
      new TypeError('consensus(sources, {similarity}) is for text: parse and schema vote fields by value'),
    );
  });

  it('should accept this copy\'s textSimilarity in the other copy\'s consensus', async () => {
    vi.resetModules();
    const other = await import('../../src/consensus/consensus.js');
    expect(other.consensus).not.toBe(consensus);
    expect(() => other.consensus([NEVER, NEVER], { parse: (text: string) => text.length, similarity: textSimilarity })).not.toThrow();
  });
});
