/* A synchronous source that never ends by itself: for specs of what stops it. */
import { Observable } from 'rxjs';
import type { L0Event } from 'l0-rx';

/**
 * An endless synchronous source of `event` that stops once its subscriber is closed, as rxjs's own
 * sources do (capped at 1,000 so a failing spec ends); `emitted` counts what it sent.
 */
export function flood(event: L0Event = { type: 'token', value: 'x' }): { readonly source: Observable<L0Event>; emitted: number } {
  const counter = { emitted: 0 };
  const source = new Observable<L0Event>((subscriber) => {
    while (!subscriber.closed && counter.emitted < 1000) {
      counter.emitted++;
      subscriber.next(event);
    }
  });
  return Object.assign(counter, { source });
}
