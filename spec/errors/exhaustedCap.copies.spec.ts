/** @test {AllStreamsExhaustedError} @test {serializeError} the whole-tree cap across two copies of the package */
import { describe, expect, it, vi } from 'vitest';
import { AllStreamsExhaustedError, deserializeError, ProviderError, serializeError, type SerializedError } from 'l0-rx';

/** A second copy of the module, as an app that loads both the ESM and the CJS build has. */
async function otherCopy(): Promise<typeof import('../../src/errors/AllStreamsExhaustedError.js') & typeof import('../../src/errors/serializeError.js')> {
  vi.resetModules();
  return { ...(await import('../../src/errors/AllStreamsExhaustedError.js')), ...(await import('../../src/errors/serializeError.js')) };
}

const wire = (e: unknown): SerializedError => JSON.parse(JSON.stringify(serializeError(e))) as SerializedError;
const p = (s: string) => new ProviderError(s, { code: 'SERVER_ERROR', category: 'server', retryable: true });
/** How many list entries a serialised error holds, its nested exhaustions' included. */
const entries = (plain: SerializedError): number => (plain.errors ?? []).reduce((n, e) => n + 1 + (e.name === 'AllStreamsExhaustedError' ? entries(e) : 0), 0);
/** A retry around a fallback chain: 16 attempts, each an exhaustion of 64 streams, made by `Exhausted`. */
const chains = (Exhausted: typeof AllStreamsExhaustedError) => Array.from({ length: 16 }, (_, a) => new Exhausted(Array.from({ length: 64 }, (_, i) => p(`a${a}.${i}`))));

describe('AllStreamsExhaustedError: the whole-tree cap with exhaustions from another copy of the package', () => {
  it("should cut another copy's nested exhaustions within this tree's 64 entries, as its own (each took 64 of its own: 1,040 entries), whichever copy serialises", async () => {
    const copy = await otherCopy();
    expect(copy.AllStreamsExhaustedError).not.toBe(AllStreamsExhaustedError);
    const ours = wire(new AllStreamsExhaustedError(chains(AllStreamsExhaustedError)));
    expect(entries(ours)).toBe(79); // 16 attempts, 48 entries of the last (a mark among them), a mark alone in each other
    expect(wire(new AllStreamsExhaustedError(chains(copy.AllStreamsExhaustedError)))).toEqual(ours);
    // the other copy writing this copy's exhaustions, or a tree of both
    expect(copy.serializeError(new copy.AllStreamsExhaustedError(chains(AllStreamsExhaustedError)))).toEqual(ours);
    const mixed = chains(AllStreamsExhaustedError).map((c, a) => (a % 2 ? new copy.AllStreamsExhaustedError(c.errors) : c));
    expect(wire(new AllStreamsExhaustedError(mixed))).toEqual(ours);
    // and so the rebuilt copy serialises the same
    expect(JSON.stringify(wire(deserializeError(ours)))).toBe(JSON.stringify(ours));
  });
});
