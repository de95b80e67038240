import { it } from 'vitest';
import { FAULT_NAMES, startFaultServer } from 'l0-rx/testing';
import { openaiClient, viaOpenAI, viaAiSdk, runL0, RETRY, TIMEOUT } from './harness.js';

const models = [...FAULT_NAMES.map((n) => `fault:${n}`), 'fault:rate-limit:0.05*1', 'fault:rate-limit-ms:30*1', 'fault:rate-limit-date:30', 'fault:slow-first-token:400*1', 'fault:no-response*1', 'fault:stall*1', 'fault:empty-completion*1'];
for (const sdk of ['openai', 'ai']) for (const model of models) {
  it(`${sdk} ${model}`, async () => {
    const server = await startFaultServer({ tokenDelayMs: 2 });
    try {
      const client = openaiClient(server);
      const stream = sdk === 'openai' ? viaOpenAI(client, model) : viaAiSdk(server, model);
      const o = await runL0({ stream, retry: RETRY, timeout: TIMEOUT });
      await new Promise((r) => setTimeout(r, 50));
      const e: any = o.error;
      console.log(JSON.stringify({ sdk, model, ms: o.ms, status: o.state.status, fr: o.state.finishReason, content: o.state.content, tc: o.state.toolCalls, err: e && { name: e.name, code: e.code, retryable: e.retryable, status: e.status, ra: e.retryAfterMs, msg: e.message.slice(0, 100) }, ev: o.events.filter((x) => x.type !== 'token').map((x: any) => x.type + (x.type === 'retry' ? `(${x.reason},${x.delayMs},${x.error.code})` : '')).join(' '), reqs: server.requests.map((r) => r.closedByClient ? 'C' : '-').join('') }));
    } finally { await server.close(); }
  });
}
