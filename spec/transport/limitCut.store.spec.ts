/** @test {createStoreReplaySource} {replayEvents} {toServerSentEvents} {fromServerSentEvents} a budget's cut recorded to a durable store, served again over SSE, reaches the client as the caller's limit, never retried as zero output */
import { lastValueFrom, of, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { budget, createStoreReplaySource, fromServerSentEvents, l0, parseLastEventId, recordEvents, replayEvents, toServerSentEvents, type EventStore, type L0Event } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { useRedisServer } from '../helpers/redisServer.js';
import { useScriptedServer } from '../helpers/scriptedServer.js';
import { useTempDir } from '../helpers/tempDir.js';

const START: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const LENGTH: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 0, inputTokens: 0 } };

/** A run its budget cut before its first token (the token would make 3 output tokens of 2), recorded as 'chat'. */
function recordCut(store: EventStore): Promise<void> {
  return new Promise((resolve, reject) => {
    of(START, { type: 'token', value: 'twelve chars' } as L0Event)
      .pipe(budget({ maxOutputTokens: 2, onExceeded: 'complete' }), recordEvents(store, { streamId: 'chat', onRecorded: (info) => (info.error ? reject(info.error) : resolve()) }))
      .subscribe({ error: reject });
  });
}

const wire = useScriptedServer();
/** An l0() run on the client whose stream is the SSE endpoint: two attempts, no wait between them. */
const client = () => lastValueFrom(l0({ stream: () => fromServerSentEvents(wire.url, { reconnectAttempts: 0 }), retry: { attempts: 2, baseDelay: 0, maxDelay: 0 } }).pipe(toArray()));
const withoutStarts = (events: readonly L0Event[]) => events.filter((e) => e.type !== 'start');

describe("a budget's cut served from an event store over SSE", () => {
  describe('Redis, resumed through createStoreReplaySource', () => {
    const redis = useRedisServer();

    it('should end the client\'s run with the length completion after one request, not retry it as zero output (before: a ZeroOutputError once its retries ran out)', async () => {
      const store = createRedisEventStore(redis.client, { followBlockMs: 50 });
      await recordCut(store);
      const source = createStoreReplaySource(store);
      wire.serve((req, res) => {
        const after = parseLastEventId(req.headers['last-event-id']);
        toServerSentEvents(source.replay('chat', after), { heartbeatMs: 0, resumeFrom: after }).writeTo(res);
      });
      const events = await client();
      expect([withoutStarts(events), wire.requests.length]).toEqual([[LENGTH], 1]);
    });
  });

  describe('JSONL, replayed through replayEvents', () => {
    const tmp = useTempDir('l0-cut-sse-');

    it('should end the client\'s run with the length completion after one request, not retry it as zero output (before: a ZeroOutputError once its retries ran out)', async () => {
      const store = createJsonlEventStore(tmp.path);
      await recordCut(store);
      const replay: () => Observable<L0Event> = () => replayEvents(store, 'chat');
      wire.serve((_req, res) => toServerSentEvents(replay(), { heartbeatMs: 0 }).writeTo(res));
      const events = await client();
      expect([withoutStarts(events), wire.requests.length]).toEqual([[LENGTH], 1]);
    });
  });
});
