/*
 * How a tracer downstream of `raceModels`/`hedge` sees every entrant, the losers included: their
 * events are held by the race and a loser's never reach the consumer. A tracer installs an
 * observer for the duration of its synchronous `subscribe`; a race subscribed inside that call
 * captures it and reports each entrant's events live, and how the entrant ended. The retry and
 * fallback loops capture it too and install it again around each stream they subscribe later, so
 * a race a retry's timer subscribes is reported as well.
 * Internal: never re-exported from an entry point.
 */
import type { L0Event } from '../events/eventTypes.js';

/**
 * How an entrant of a race ended. `won`: it ended the race (complete), `lost`: unsubscribed
 * because another entrant won, `failed`: it errored or completed without content, `cancelled`:
 * the race itself was unsubscribed.
 */
export type EntrantOutcome = 'won' | 'lost' | 'failed' | 'cancelled';

/** One entrant's live events and its end, reported exactly once. */
export interface EntrantTrace {
  next(event: L0Event): void;
  end(outcome: EntrantOutcome, error?: unknown): void;
}

/** What a tracer installs: called once per entrant when the race subscribes it. */
export interface EntrantObserver {
  entrant(index: number, name: string | undefined): EntrantTrace;
}

let current: EntrantObserver | undefined;

/** Runs `fn` (a synchronous subscribe) with `observer` visible to the races it subscribes. */
export function withEntrantObserver<T>(observer: EntrantObserver | undefined, fn: () => T): T {
  const previous = current;
  current = observer;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** The observer of the subscription in progress, if a tracer installed one. */
export function currentEntrantObserver(): EntrantObserver | undefined {
  return current;
}
