/** @test {AllStreamsExhaustedError} @test {serializeError} @test {deserializeError} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllStreamsExhaustedError, deserializeError, ProviderError, serializeError, type SerializedError } from 'l0-rx';
import { runs } from '../helpers/propertyRuns.js';

/*
 * A serialised exhaustion, rebuilt and serialised again, is the same line, byte for byte: a replayed run
 * recorded again logs what the live one did, whatever the tree (the whole-tree cap of 64 entries, the
 * cause walk's 8 deep and 32 in all, AggregateErrors and plain errors among the causes).
 */

/** Through JSON and back, as a log or an SSE frame carries it. */
const line = (e: unknown): string => JSON.stringify(serializeError(e));
const again = (text: string): string => line(deserializeError(JSON.parse(text) as SerializedError));
const p = (s: string, cause?: unknown) => new ProviderError(s, { code: 'SERVER_ERROR', category: 'server', retryable: true, ...(cause === undefined ? {} : { cause }) });

/** A random tree: exhaustions (some past the cap), AggregateErrors, plain errors, provider errors and strings. */
type Node = { k: 'ex'; errors: Node[] } | { k: 'agg'; errors: Node[]; cause?: Node } | { k: 'err' | 'l0'; cause?: Node } | { k: 'str' };
const cause = (tie: (key: 'node') => fc.Arbitrary<Node>) => fc.option(tie('node'), { nil: undefined });
const tree = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.constant<Node>({ k: 'str' }),
    fc.record({ k: fc.constantFrom('err' as const, 'l0' as const), cause: cause(tie) }),
    fc.record({ k: fc.constant('agg' as const), errors: fc.array(tie('node'), { maxLength: 6 }), cause: cause(tie) }),
    fc.record({ k: fc.constant('ex' as const), errors: fc.oneof(fc.array(tie('node'), { maxLength: 6 }), fc.array(fc.constant<Node>({ k: 'str' }), { minLength: 20, maxLength: 70 })) }),
  ),
})).node;

/** The error `n` describes; an exhaustion's entries are L0Errors (a plain one comes back as one, with a code). */
function build(n: Node, id: { n: number }, entry = false): unknown {
  const m = `m${id.n++}`;
  const own = n.k !== 'ex' && n.k !== 'str' && n.cause ? { cause: build(n.cause, id) } : undefined;
  const made = n.k === 'ex' ? new AllStreamsExhaustedError(n.errors.map((e) => build(e, id, true)))
    : n.k === 'agg' ? new AggregateError(n.errors.map((e) => build(e, id)), m, own)
    : n.k === 'err' ? new Error(m, own)
    : n.k === 'l0' ? p(m, own?.cause)
    : m;
  return entry && !(made instanceof ProviderError) && n.k !== 'ex' ? p(`w${m}`, n.k === 'str' ? undefined : made) : made;
}

describe('AllStreamsExhaustedError: serialised, rebuilt and serialised again, the same line', () => {
  it('should write the same line for any tree of exhaustions, AggregateErrors and plain errors, cut or not', () => {
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 8 }), (errors) => {
        const first = line(build({ k: 'ex', errors }, { n: 0 }));
        expect(again(first)).toBe(first);
      }),
      { numRuns: runs(300) },
    );
  });

  it("should write a rebuilt exhaustion's cause as recorded: its last error rebuilt, walked one level deeper, cut other entries", () => {
    // two chains as deep as the cause walk goes from the attempt, then 30 more causes: from the exhaustion, the
    // chains are cut a level higher and the walk reaches further along the list than the attempt's own line holds
    const chain = (k: string) => Array.from({ length: 8 }).reduce<unknown>((c, _, d) => new Error(`${k}${d}`, { cause: c }), 'bottom');
    const first = line(new AllStreamsExhaustedError([p('last', new AggregateError([chain('a'), chain('b'), ...Array.from({ length: 30 }, (_, i) => `s${i}`)], 'agg'))]));
    expect(again(first)).toBe(first);
  });

  it('should write a nested exhaustion cut to its mark alone the same once rebuilt (its recorded cause, plain data, wrote retryable last)', () => {
    const chains = Array.from({ length: 16 }, (_, a) => new AllStreamsExhaustedError(Array.from({ length: 64 }, (_, i) => p(`a${a}.${i}`))));
    const first = line(new AllStreamsExhaustedError(chains));
    expect(again(first)).toBe(first);
    // and a foreign error's fields come in an L0Error's order
    expect(Object.keys(serializeError({ name: 'E', message: 'm', reason: 'r', retryable: true, code: 'C' }))).toEqual(['name', 'message', 'code', 'retryable', 'reason']);
  });

  it("should write a rebuilt exhaustion's cause as it is once the app changes or deletes it, not the recorded one", () => {
    const rebuilt = (): Error => deserializeError(JSON.parse(line(new AllStreamsExhaustedError([p('a'), p('b')]))) as SerializedError);
    const changed = rebuilt();
    changed.cause = p('new', 'why');
    expect(serializeError(changed).cause).toEqual(serializeError(p('new', 'why')));
    // a copy made after the change too (withRunInfo keeps the record)
    expect(serializeError((changed as AllStreamsExhaustedError).withRunInfo({ attempt: 2 })).cause).toEqual(serializeError(p('new', 'why')));
    const deleted = rebuilt();
    delete deleted.cause;
    expect(serializeError(deleted)).not.toHaveProperty('cause');
  });
});

describe('AllStreamsExhaustedError: toJSON called while another error is written', () => {
  it("should write a tree of its own from a getter's JSON.stringify (a logger) during another's serialisation, and leave that one's share as it was", () => {
    const inner = new AllStreamsExhaustedError(Array.from({ length: 5 }, (_, i) => p(`i${i}`)));
    const alone = line(inner);
    const seen: string[] = [];
    // the last entry, read first (23 of the outer tree's 64 left: its toJSON took 5 of them) and again in the cause walk (none left: the mark alone)
    const odd = { name: 'Error', get message() { seen.push(JSON.stringify(inner)); return 'odd'; } };
    const rest = Array.from({ length: 40 }, (_, i) => new AllStreamsExhaustedError([p(`o${i}`), p(`o${i}'`)]));
    const plain = line(new AllStreamsExhaustedError([...rest, odd]));
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) expect(s).toBe(alone);
    expect(plain).toBe(line(new AllStreamsExhaustedError([...rest, { name: 'Error', message: 'odd' }])));
  });
});
