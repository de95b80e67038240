/** @test {startFaultServer} */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFaultServer, type FaultServer } from 'l0-rx/testing';

// A bug inside the server must not look like the reset-before-headers fault: the planner and the SSE
// writer are replaced by versions that throw on demand.
const bug = vi.hoisted(() => ({ where: undefined as 'plan' | 'stream' | undefined }));

vi.mock('../../src/testing/faults.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/testing/faults.js')>();
  return {
    ...original,
    planFault: (...args: Parameters<typeof original.planFault>) => {
      if (bug.where === 'plan') throw new RangeError('planner exploded');
      return original.planFault(...args);
    },
  };
});

vi.mock('../../src/testing/sse.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/testing/sse.js')>();
  return {
    ...original,
    writeStream: async (...args: Parameters<typeof original.writeStream>) => {
      if (bug.where !== 'stream') return original.writeStream(...args);
      const { res } = args[0];
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await new Promise<void>((resolve) => res.write('data: {}\n\n', () => resolve()));
      throw new Error('writer exploded');
    },
  };
});

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer({ tokenDelayMs: 0 });
});
afterAll(() => server.close());
afterEach(() => {
  bug.where = undefined;
});

const post = (model: string) =>
  fetch(`${server.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model, stream: true, messages: [] }) });

describe('startFaultServer internal errors', () => {
  it('should answer a bug before the headers with HTTP 500 naming the error, not a socket reset', async () => {
    bug.where = 'plan';
    const res = await post('gpt-bug');
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body).toMatchObject({ error: { code: 'fault_server_internal_error', type: 'server_error' } });
    expect(body.error.message).toContain('RangeError: planner exploded');
  });

  it('should destroy the socket for a bug after the headers were sent', async () => {
    bug.where = 'stream';
    const res = await post('gpt-late-bug');
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow('terminated');
  });

  it('should keep serving after a bug', async () => {
    bug.where = 'plan';
    expect((await post('gpt-bug-2')).status).toBe(500);
    bug.where = undefined;
    const res = await post('gpt-fine');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data: [DONE]');
  });
});
