/** @test {README.md} */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// A README example that starts a fault server and closed it on `complete` alone left it running
// (its port and timers held) whenever the run errored, which is what a fault server is for.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe("README's fault server examples", () => {
  const starting = blocks.filter((code) => /=\s*await startFaultServer\(/.test(code));

  it('should have examples that start a fault server', () => {
    expect(starting.length).toBeGreaterThan(0);
  });

  it('should close the server in a finally block or a finalize(), so an error or an unsubscription closes it too', () => {
    const leaking = starting.filter((code) => !/finally\s*\{[^}]*\.close\(\)|finalize\(\s*\(\)\s*=>[^)]*\.close\(\)/.test(code));
    expect(leaking).toEqual([]);
  });
});
