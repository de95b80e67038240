/**
 * @test {fromServerSentEvents} types an HTTP error as the library's status table does. It keeps a
 * copy of that table (the browser path never imports classifyTables): this compares the copy with
 * the table for every status from 400 to 599, so the two cannot drift apart.
 */
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromServerSentEvents, toL0Error } from 'l0-rx';
import { failure } from '../helpers/scriptedServer.js';

const STATUSES = Array.from({ length: 200 }, (_, i) => 400 + i);

/** What fromServerSentEvents makes of an answer with `status`: a fetch that hands over any status (Node's and browsers' turn a 407 into a network error first). */
async function sseError(status: number): Promise<unknown> {
  const fetch = async () => new Response(null, { status });
  return failure(lastValueFrom(fromServerSentEvents('http://backend.test/events', { fetch, reconnectAttempts: 0 })));
}

/** What the library makes of an HTTP error with `status` (classifyError's status table, through toL0Error). */
const libraryError = (status: number) => toL0Error(Object.assign(new Error(`HTTP ${status}`), { status }));

describe('fromServerSentEvents: HTTP statuses', () => {
  it("should type every status from 400 to 599 as the library's status table does (code, category, retryable)", async () => {
    const pick = (e: unknown) => {
      const { code, category, retryable, status } = e as { code: string; category: string; retryable: boolean; status: number };
      return { code, category, retryable, status };
    };
    const got = await Promise.all(STATUSES.map(async (status) => pick(await sseError(status))));
    expect(got).toEqual(STATUSES.map((status) => pick(libraryError(status))));
  });

  it('should type a 407 (proxy authentication required) as AUTH_ERROR, not retried', async () => {
    expect(await sseError(407)).toMatchObject({ code: 'AUTH_ERROR', category: 'auth', retryable: false, status: 407 });
  });
});
