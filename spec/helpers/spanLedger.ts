/* A span processor for the tracing properties: it counts each span's starts and ends, so a span never ended (or ended twice) shows. */
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export class SpanLedger implements SpanProcessor {
  readonly started = new Set<Span>();
  readonly ends = new Map<Span, number>();
  onStart(span: Span): void {
    this.started.add(span);
  }
  onEnd(span: ReadableSpan): void {
    this.ends.set(span as Span, (this.ends.get(span as Span) ?? 0) + 1);
  }
  forceFlush = (): Promise<void> => Promise.resolve();
  shutdown = (): Promise<void> => Promise.resolve();
}
