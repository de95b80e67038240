/* The mark a replay source puts on its backlog, for toServerSentEvents' maxQueuedBytes. @internal */

/**
 * The items a replay source sends as its backlog (what the log held when the replay began, read
 * apart from the live tail): `toServerSentEvents` holds their frames against a client only once it
 * has read them, as it does the frames sent synchronously at its subscription (rule 9). For a store
 * that answers later (Redis), whose backlog comes after the subscription.
 */
export const BACKLOG: WeakSet<object> = /*#__PURE__*/ new WeakSet();
