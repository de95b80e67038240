/** @test {fromServerSentEvents} */
import fc from 'fast-check';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromServerSentEvents, type L0Event } from 'l0-rx';
import { runs } from '../helpers/propertyRuns.js';

/*
 * Any split of a valid SSE body into network chunks (inside a UTF-8 sequence, between a CR and its LF,
 * inside a field name or the `data:` prefix) gives the same events: the body's bytes are the same.
 * Lines end in LF, CRLF or a bare CR (mixed), with comments, a leading BOM and multi-line data.
 */

const text = fc.string({ unit: 'grapheme', maxLength: 10 });
const eventArb: fc.Arbitrary<L0Event> = fc.oneof(
  text.map((value): L0Event => ({ type: 'token', value })),
  text.map((value): L0Event => ({ type: 'reasoning', value })),
  fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), name: fc.constantFrom('f', 'get_weather'), arguments: fc.constantFrom('{}', '{"a":"\u00e9\r\n"}') })
    .map((c): L0Event => ({ type: 'tool-call', ...c })),
);
const EOL = ['\n', '\r\n', '\r'] as const;

interface Frame {
  readonly event: L0Event;
  readonly eol: number;
  readonly comment: boolean;
  readonly twoLines: boolean;
}
const bodyArb = fc.record({
  bom: fc.boolean(),
  frames: fc.array(fc.record({ event: eventArb, eol: fc.nat(2), comment: fc.boolean(), twoLines: fc.boolean() }), { maxLength: 8 }),
  endEol: fc.nat(2),
});

/** One frame as the server writes it; `twoLines` splits a token's data over two `data:` lines (joined by a line feed, JSON white space). */
function frameText({ event, eol, comment, twoLines }: Frame, seq: number): string {
  const e = EOL[eol]!;
  const json = JSON.stringify(event);
  const at = json.indexOf(',"');
  const data = twoLines && at > 0 ? `data: ${json.slice(0, at + 1)}${e}data:${json.slice(at + 1)}` : `data: ${json}`;
  return `${comment ? `: keep-alive${e}` : ''}id: ${seq}${e}event: ${event.type}${e}${data}${e}${e}`;
}

describe('fromServerSentEvents reads any split of a body alike', () => {
  it('gives the events of the whole body for every cut of its bytes', async () => {
    await fc.assert(fc.asyncProperty(bodyArb, fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 400 }), async ({ bom, frames, endEol }, sizes) => {
      const e = EOL[endEol]!;
      const body = `${bom ? '\ufeff' : ''}${frames.map((f, i) => frameText(f, i + 1)).join('')}event: end${e}data: {}${e}${e}`;
      const bytes = new TextEncoder().encode(body);
      const pieces: Uint8Array[] = [];
      for (let at = 0, i = 0; at < bytes.length; i++) {
        const next = Math.min(bytes.length, at + (sizes[i] ?? bytes.length));
        pieces.push(bytes.slice(at, next));
        at = next;
      }
      const fetch = async () => new Response(new ReadableStream<Uint8Array>({
        pull(controller) {
          const piece = pieces.shift();
          if (piece) controller.enqueue(piece);
          else controller.close();
        },
      }), { headers: { 'content-type': 'text/event-stream' } });
      const events = await lastValueFrom(fromServerSentEvents('http://127.0.0.1/sse', { fetch, reconnectAttempts: 0 }).pipe(toArray()));
      expect(events).toEqual(frames.map((f) => f.event));
    }), { numRuns: runs(300) });
  });
});
