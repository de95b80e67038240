// @ts-check
// SSE round trip on loopback: l0 events through toServerSentEvents -> node:http -> fromServerSentEvents.
// Throughput: events per second for a burst of tokens. Latency: for tokens paced 2 ms apart, the
// median time from the server emitting a token to the client's subscriber receiving it (one process,
// one clock). Usage: node bench/sse.mjs (after npm run build), or as part of npm run bench.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { concat, from, interval, lastValueFrom, map, of, take, tap } from 'rxjs';
import { fromServerSentEvents, toServerSentEvents } from 'l0-rx';
import { median, quantile } from './stats.mjs';

/** @type {import('l0-rx').L0Event} */
const COMPLETE = { type: 'complete', finishReason: 'stop' };

/** @param {number} burst tokens per throughput run @param {number} runs */
export async function measureSseRoundTrip(burst = 20_000, runs = 10) {
  const server = createServer((req, res) => {
    const paced = req.url === '/paced';
    const tokens = paced
      ? interval(2).pipe(take(200), map(() => /** @type {const} */ ({ type: 'token', value: String(performance.now()) })))
      : from(Array.from({ length: burst }, (_, i) => /** @type {const} */ ({ type: 'token', value: `w${i} ` })));
    toServerSentEvents(concat(tokens, of(COMPLETE)), { heartbeatMs: 0 }).writeTo(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const base = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
  const rates = [];
  for (let r = 0; r < runs + 2; r++) {
    let count = 0;
    const t0 = performance.now();
    await lastValueFrom(fromServerSentEvents(`${base}/burst`).pipe(tap(() => count++)));
    if (r >= 2) rates.push((count / (performance.now() - t0)) * 1000);
  }
  const latencies = [];
  await lastValueFrom(fromServerSentEvents(`${base}/paced`).pipe(tap((e) => e.type === 'token' && latencies.push(performance.now() - Number(e.value)))));
  server.closeAllConnections();
  server.close();
  return { eventsPerSecond: median(rates), latencyMs: median(latencies), p99LatencyMs: quantile(latencies, 0.99) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const m = await measureSseRoundTrip();
  console.log(`SSE round trip (loopback): ${Math.round(m.eventsPerSecond).toLocaleString('en-US')} events/s; added latency per token ${m.latencyMs.toFixed(3)} ms median, ${m.p99LatencyMs.toFixed(3)} ms p99`);
}
