/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { fromStream } from 'l0-rx';

/** A factory whose promise resolves only when `release` is called, after the test unsubscribed. */
function lateFactory(value: () => unknown) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const factory = async () => {
    await gate;
    return value();
  };
  return { factory, release: () => { release(); return gate.then(() => new Promise((r) => setImmediate(r))); } };
}

describe('fromStream releasing a stream that arrives after unsubscribe', () => {
  it('should cancel a doStream-style {stream} wrapper', async () => {
    let cancelled = false;
    const stream = new ReadableStream({ cancel: () => void (cancelled = true) });
    const { factory, release } = lateFactory(() => ({ stream }));
    fromStream(factory).subscribe().unsubscribe();
    await release();
    expect(cancelled).toBe(true);
  });

  it('should return an async iterator', async () => {
    let closed = false;
    async function* tokens() {
      try {
        yield 'never read';
      } finally {
        closed = true;
      }
    }
    const iterator = tokens();
    await iterator.next(); // started, suspended at its yield
    const { factory, release } = lateFactory(() => iterator);
    fromStream(factory).subscribe().unsubscribe();
    await release();
    expect(closed).toBe(true);
  });
});
