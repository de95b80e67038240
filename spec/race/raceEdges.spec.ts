/** @test {raceModels} @test {hedge} */
import { describe, expect, it } from 'vitest';
import { config as rxConfig, defer, merge, NEVER, Observable, ObjectUnsubscribedError, Subject, take, tap, throwError, UnsubscriptionError, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { AllStreamsExhaustedError, hedge, ProviderError, raceModels, type L0Event } from 'l0-rx';
import { withEntrantObserver } from '../../src/internal/entrantObserver.js';
import { testScheduler } from '../helpers/testScheduler.js';

const values = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } as L0Event,
  r: { type: 'reasoning', value: 'h' } as L0Event,
  a: { type: 'token', value: 'a' } as L0Event,
  b: { type: 'token', value: 'b' } as L0Event,
  h: { type: 'token', value: 'hello' } as L0Event,
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
};

describe('races at their edges', () => {
  it.each([['undefined', undefined], ['"yes"', 'yes'], ['1', 1]])('should error the race with a TypeError naming it when winOn returns %s, unsubscribing every source then', (shown, bad) => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('s-a-x|', values);
      const b = cold('s--b-x|', values);
      expectObservable(raceModels([a, b], { winOn: () => bad as unknown as boolean })).toBe('--#', undefined, new TypeError(`raceModels(sources, {winOn}) returned ${shown}; it must return a boolean`));
      expectSubscriptions(a.subscriptions).toBe('^-!');
      expectSubscriptions(b.subscriptions).toBe('^-!');
    });
  });

  it('should error the race when winOn throws, with nothing escaping as an unhandled error', () => {
    let error: unknown;
    let completed = false;
    const unhandled: unknown[] = [];
    const prev = rxConfig.onUnhandledError;
    rxConfig.onUnhandledError = (e) => unhandled.push(e);
    try {
      testScheduler().run(({ cold, flush }) => {
        raceModels([cold('s-a-x|', values), cold('s--b-x|', values)], { winOn: () => { throw new Error('boom'); } })
          .subscribe({ error: (e) => (error = e), complete: () => (completed = true) });
        flush();
      });
    } finally {
      rxConfig.onUnhandledError = prev;
    }
    expect({ completed, error: (error as Error | undefined)?.message, unhandled: unhandled.length }).toEqual({ completed: false, error: 'boom', unhandled: 0 });
  });

  it('should unsubscribe a backup that wins synchronously when the consumer unsubscribes at once', () => {
    const ts = testScheduler();
    let backupUnsubscribed = false;
    const backup = new Observable<L0Event>((sub) => {
      sub.next(values.s);
      sub.next(values.b); // content on subscription (a cache, a replay), then an open request
      return () => (backupUnsubscribed = true);
    });
    ts.run(({ flush }) => {
      (NEVER as Observable<L0Event>).pipe(hedge(backup, { delay: 4, scheduler: ts as SchedulerLike }), take(2)).subscribe();
      flush();
    });
    expect(backupUnsubscribed).toBe(true);
  });

  it.each([
    ['completes', (subject: Subject<L0Event>) => subject.complete(), '(sab|)'],
    ['errors', (subject: Subject<L0Event>) => subject.error(new Error('cut')), '(sab#)'],
  ])('should release the winner\'s held events before what it sends, or how it ends, while a consumer\'s next makes it emit (it %s)', (_, end, expected) => {
    testScheduler().run(({ expectObservable }) => {
      const subject = new Subject<L0Event>();
      // a source fed from the consumer's side (a Subject): its start and first token on subscription, the rest when the consumer reacts
      const fed = new Observable<L0Event>((sub) => {
        const inner = subject.subscribe(sub);
        sub.next(values.s);
        sub.next(values.a);
        return inner;
      });
      const consumer = raceModels([fed]).pipe(tap((e) => {
        if (e.type !== 'start') return;
        subject.next(values.b);
        end(subject);
      }));
      // the live 'b' overtook the held 'a', and the end closed the race before 'a' came out: (sb|), (sb#)
      expectObservable(consumer).toBe(expected, values, new Error('cut'));
    });
  });

  it('should subscribe no further backup once a backup that emits on subscription has errored the race through winOn', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('s-------', values);
      const open = cold('-'); // the backup's request, opened by its subscribe after its content on subscription (a cache)
      const backup = new Observable<L0Event>((sub) => {
        sub.next(values.s);
        sub.next(values.a);
        return open.subscribe();
      });
      const boom = new Error('boom');
      // the race ended at 4, and at 8 the timer it had just armed subscribed a second backup after the end
      // (its subscribe ran, its tracer lane opened; fromStream sends no request to a closed subscriber)
      expectObservable(primary.pipe(hedge(backup, { delay: 4, maxHedges: 2, winOn: () => { throw boom; } }))).toBe('----#', undefined, boom);
      expectSubscriptions(primary.subscriptions).toBe('^---!');
      expectSubscriptions(open.subscriptions).toBe(['----(^!)']);
    });
  });

  it('should unsubscribe a synchronously winning backup when onWin throws', () => {
    const ts = testScheduler();
    let backupUnsubscribed = false;
    let error: unknown;
    const backup = new Observable<L0Event>((sub) => {
      sub.next(values.s);
      sub.next(values.b);
      return () => (backupUnsubscribed = true);
    });
    ts.run(({ flush }) => {
      (NEVER as Observable<L0Event>)
        .pipe(hedge(backup, { delay: 4, scheduler: ts as SchedulerLike, onWin: () => { throw new Error('x'); } }))
        .subscribe({ error: (e) => (error = e) });
      flush();
    });
    expect(error).toBeInstanceOf(Error);
    expect(backupUnsubscribed).toBe(true);
  });

  // the teardown's error became the winner's, queued behind its held events for good: nothing came out, the race never
  // ended, and the losers after the throwing one stayed subscribed (their requests open)
  it('should unsubscribe every loser and error the race with an UnsubscriptionError when a loser\'s teardown throws, as rxjs\'s race does', () => {
    const broken = new Error('teardown');
    let open = 0;
    const loser = (teardown: () => void) => new Observable<L0Event>((sub) => {
      open++;
      sub.next(values.s);
      return () => (open--, teardown());
    });
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const winner = cold('s--a-x|', values);
      const run = raceModels([loser(() => { throw broken; }), winner, loser(() => undefined)]);
      expectObservable(run).toBe('---#', undefined, new UnsubscriptionError([broken]));
      expectSubscriptions(winner.subscriptions).toBe('^--!');
    });
    expect(open).toBe(0);
  });

  // once the race has ended there is no race left to error: as with rxjs's merge, the UnsubscriptionError goes to the call that
  // ended it, every entrant unsubscribed all the same (the children of the race's subscriber)
  describe('an entrant whose teardown throws once the race has ended', () => {
    const broken = new Error('teardown');
    /** What `act` threw: an UnsubscriptionError's own errors. */
    const thrownBy = (act: () => void): unknown => {
      try {
        act();
      } catch (e) {
        return e instanceof UnsubscriptionError ? e.errors : e;
      }
      return 'nothing';
    };
    const counted = (open: { n: number }, teardown: () => void) => new Observable<L0Event>((sub) => {
      open.n++;
      sub.next(values.s);
      return () => (open.n--, teardown());
    });

    it('should unsubscribe every entrant and throw the UnsubscriptionError to the consumer\'s unsubscribe, as rxjs\'s merge does', () => {
      const open = { n: 0 };
      const sub = raceModels([counted(open, () => undefined), counted(open, () => { throw broken; }), counted(open, () => undefined)]).subscribe();
      expect(open.n).toBe(3);
      expect(thrownBy(() => sub.unsubscribe())).toEqual([broken]);
      expect(open.n).toBe(0);
    });

    it('should throw it to the emission that ended the race (here a Subject\'s next), its error sent once, as rxjs\'s merge does', () => {
      const open = { n: 0 };
      const source = new Subject<L0Event>();
      const errors: unknown[] = [];
      raceModels([source, counted(open, () => { throw broken; })], { winOn: () => { throw new Error('winOn'); } }).subscribe({ error: (e) => errors.push(e) });
      expect(thrownBy(() => source.next(values.a))).toEqual([broken]);
      expect({ errors: errors.map((e) => (e as Error).message), open: open.n }).toEqual({ errors: ['winOn'], open: 0 });
      // rxjs's merge, for comparison: the same throw to the same caller
      const merged = new Subject<L0Event>();
      merge(merged, counted(open, () => { throw broken; })).subscribe({ error: () => undefined });
      expect(thrownBy(() => merged.error(new Error('end')))).toEqual([broken]);
    });
  });

  // a loser subscribed while another entrant won (its subscribe made the primary answer) is unsubscribed as that subscribe
  // returns: its throwing teardown errors the race then, as a loser's at the win does, after the winner's events so far
  it('should error a race won during a backup\'s subscribe with the UnsubscriptionError of its teardown, the winner\'s later events unsent', () => {
    const primary = new Subject<L0Event>();
    const broken = new Error('teardown');
    const backup = new Observable<L0Event>(() => {
      primary.next(values.s);
      primary.next(values.a);
      return () => {
        throw broken;
      };
    });
    testScheduler().run(({ expectObservable, cold }) => {
      cold('------(bx|)', values).subscribe(primary);
      expectObservable(primary.pipe(hedge(backup, { delay: 4 }))).toBe('----(sa#)', values, new UnsubscriptionError([broken]));
    });
  });

  // the stagger timer subscribes a backup, and its teardown runs there: as its subscribe returns (it failed, or the race
  // ended, meanwhile) or as it is unsubscribed (the primary won meanwhile). Its throw reached the timer's action, so the
  // scheduler (a virtual flush threw; the asyncScheduler's timer threw out of Node's loop), and the race never ended
  describe('a backup whose teardown throws, subscribed by the stagger timer', () => {
    const broken = new Error('teardown');
    const reset = new ProviderError('reset', { code: 'NETWORK_ERROR', category: 'network', retryable: true });
    const backupThat = (subscribe: (sub: Subscriber<L0Event>) => void) => new Observable<L0Event>((sub) => {
      subscribe(sub);
      return () => {
        throw broken;
      };
    });

    it('should error the race with an UnsubscriptionError when the primary wins while the backup is being subscribed', () => {
      const primary = new Subject<L0Event>();
      // subscribing the backup makes the primary answer (one request feeding both, as a shared source may)
      const backup = backupThat(() => (primary.next(values.s), primary.next(values.a)));
      testScheduler().run(({ expectObservable }) => {
        expectObservable(primary.pipe(hedge(backup, { delay: 4 }))).toBe('----(sa#)', values, new UnsubscriptionError([broken]));
      });
    });

    it('should error the race with an UnsubscriptionError when the backup fails as it is subscribed', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const primary = cold<L0Event>('s-------', values);
        expectObservable(primary.pipe(hedge(backupThat((sub) => sub.error(reset)), { delay: 4 }))).toBe('----#', undefined, new UnsubscriptionError([broken]));
        expectSubscriptions(primary.subscriptions).toBe('^---!');
      });
    });

    it('should end the race with its own error when it ended while the backup was being subscribed (winOn threw)', () => {
      const unhandled: unknown[] = [];
      const prev = rxConfig.onUnhandledError;
      rxConfig.onUnhandledError = (e) => unhandled.push(e);
      try {
        testScheduler().run(({ cold, expectObservable }) => {
          const backup = backupThat((sub) => (sub.next(values.s), sub.next(values.a)));
          const winOn = () => {
            throw new Error('winOn');
          };
          expectObservable(cold<L0Event>('s-------', values).pipe(hedge(backup, { delay: 4, winOn }))).toBe('----#', undefined, new Error('winOn'));
        });
      } finally {
        rxConfig.onUnhandledError = prev;
      }
      expect(unhandled).toEqual([]);
    });
  });

  it('should not let a reasoning delta win before the attempt text reaches minChars', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const thinker = cold('s-r-------a|', values); // reasoning at 2, answer text only at 10
      const answerer = cold('s---h---x|', values);  // 5 chars of text at 4
      expectObservable(raceModels([thinker, answerer], { winOn: { minChars: 3 } })).toBe('----(sh)x|', values);
      expectSubscriptions(thinker.subscriptions).toBe('^---!');
    });
  });
});

describe('races over entrants that fail while being subscribed', () => {
  const reset = () => new ProviderError('reset', { code: 'NETWORK_ERROR', category: 'network', retryable: true });

  it('should end a race of 5,000 entrants that each fail inside their subscribe with AllStreamsExhaustedError', () => {
    // the next entrant was subscribed inside the failing one's subscribe: about 800 overflowed the stack
    let error: unknown;
    raceModels(Array.from({ length: 5000 }, () => throwError(reset))).subscribe({ error: (e) => (error = e) });
    expect(error).toBeInstanceOf(AllStreamsExhaustedError);
    expect((error as AllStreamsExhaustedError).errors).toHaveLength(5000);
  });

  it('should subscribe 5,000 synchronously failing backups at once, one after another, and end with their errors', () => {
    const ts = testScheduler();
    let subscribed = 0;
    const failing = defer(() => (subscribed++, throwError(reset)));
    ts.run(({ expectObservable }) => {
      // every started entrant failed: the next is subscribed at once, without waiting its delay
      expectObservable(failing.pipe(hedge(failing, { delay: 4, maxHedges: 5000, scheduler: ts as SchedulerLike })))
        .toBe('#', undefined, new AllStreamsExhaustedError(Array.from({ length: 5001 }, reset)));
    });
    expect(subscribed).toBe(5001);
  });

  // rxjs makes a throw in a subscribe function the source's error, but a Subject's own subscribe throws past that when the
  // Subject was unsubscribed (ObjectUnsubscribedError, its asObservable() too): the race took it for a teardown's and
  // errored as an UnsubscriptionError, the other entrants (and the hedge's later backups) never given their chance
  it('should end a hedge with AllStreamsExhaustedError when thousands of backups fail as they are subscribed, and a race of as many sources', () => {
    // each failed entrant subscribed the next inside its own error: 2000 of them overflowed the stack and the race never ended
    const failing = new Observable<L0Event>((s) => s.error(new Error('down')));
    const outcome = (race: Observable<L0Event>) => {
      let error: unknown;
      race.subscribe({ error: (e: unknown) => (error = e) });
      return error as { name: string; errors: unknown[] } | undefined;
    };
    const hedged = outcome(failing.pipe(hedge(failing, { delay: 5, maxHedges: 5_000 })));
    expect([hedged?.name, hedged?.errors.length]).toEqual(['AllStreamsExhaustedError', 5_001]);
    const raced = outcome(raceModels(Array.from({ length: 5_000 }, () => failing)));
    expect([raced?.name, raced?.errors.length]).toEqual(['AllStreamsExhaustedError', 5_000]);
  });

  describe('an entrant whose subscribe throws past rxjs (an unsubscribed Subject)', () => {
    const gone = () => {
      const subject = new Subject<L0Event>();
      subject.unsubscribe();
      return subject;
    };

    it('should drop it from raceModels as a failed source, the others racing on, and list its error when all fail', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(raceModels([gone(), cold('s-a----x|', values)])).toBe('--(sa)-x|', values);
      });
      let error: unknown;
      raceModels([gone(), gone().asObservable()]).subscribe({ error: (e) => (error = e) });
      expect(error).toBeInstanceOf(AllStreamsExhaustedError);
      expect((error as AllStreamsExhaustedError).errors.map((e) => e instanceof ObjectUnsubscribedError)).toEqual([true, true]);
    });

    // a subscribe of its own that makes another entrant win and then throws (an Observable subclass): the race ended with an
    // UnsubscriptionError wrapping that throw, as if a teardown had thrown, and the winner's later events were lost
    describe('one that makes another entrant win inside its subscribe, then throws', () => {
      const thenThrows = (during: () => void, thrown: unknown) => new (class extends Observable<L0Event> {
        override subscribe(): Subscription {
          during();
          throw thrown;
        }
      })();
      const outcome = (run: Observable<L0Event>, after: () => void) => {
        const got: unknown[] = [];
        run.subscribe({ next: (e) => got.push(e.type), error: (e: unknown) => got.push(e instanceof UnsubscriptionError ? { unsubscription: e.errors } : e), complete: () => got.push('|') });
        after();
        return got;
      };

      it('should let the winner stream on to its end, the loser\'s throw its failure, unseen as a loser\'s', () => {
        const primary = new Subject<L0Event>();
        const loser = thenThrows(() => (primary.next(values.s), primary.next(values.a)), new Error('subscribe'));
        expect(outcome(raceModels([primary, loser]), () => (primary.next(values.b), primary.next(values.x), primary.complete()))).toEqual(['start', 'token', 'token', 'complete', '|']);
      });

      it('should end the race with its own error when it won itself before throwing, as a winner that fails', () => {
        const primary = new Subject<L0Event>();
        const own = new Error('subscribe');
        const winner = new (class extends Observable<L0Event> {
          override subscribe(subscriber?: unknown): Subscription {
            const sub = subscriber as Subscriber<L0Event>; // the race's own subscriber
            sub.next(values.s);
            sub.next(values.a);
            throw own;
          }
        })();
        expect(outcome(raceModels([primary, winner]), () => undefined)).toEqual(['start', 'token', own]);
      });

      it('should still error the race with an UnsubscriptionError when it ended itself and its teardown threw', () => {
        const primary = new Subject<L0Event>();
        const broken = new Error('teardown');
        const loser = new Observable<L0Event>((sub) => {
          primary.next(values.s);
          primary.next(values.a);
          sub.error(new Error('failed'));
          return () => {
            throw broken;
          };
        });
        expect(outcome(raceModels([primary, loser]), () => undefined)).toEqual(['start', 'token', { unsubscription: [broken] }]);
      });
    });

    it('should drop a hedge backup as a failed one and subscribe the next after the delay, the primary racing on', () => {
      const ts = testScheduler();
      const seen: string[] = [];
      // a tracer's view: each entrant subscribed, and how it ended
      const tracer = {
        entrant: (i: number) => (seen.push(`${ts.now()}: ${i}`), {
          next: () => undefined,
          end: (outcome: string, err?: unknown) => void seen.push(`${ts.now()}: ${i} ${outcome}${err instanceof ObjectUnsubscribedError ? ' (unsubscribed)' : ''}`),
        }),
      };
      ts.run(({ cold, expectObservable }) => {
        const run = cold<L0Event>('s-----------a----x|', values).pipe(hedge(gone(), { delay: 4, maxHedges: 2 }));
        // installed around the race's subscribe, as withOpenTelemetry does
        expectObservable(new Observable<L0Event>((sub) => withEntrantObserver(tracer, () => run.subscribe(sub)))).toBe('------------(sa)-x|', values);
      });
      expect(seen).toEqual(['0: 0', '4: 1', '4: 1 failed (unsubscribed)', '8: 2', '8: 2 failed (unsubscribed)', '18: 0 won']);
    });
  });
});
