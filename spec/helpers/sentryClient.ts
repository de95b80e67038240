import { createStackParser, createTransport, parseEnvelope, type ClientOptions, type Envelope } from '@sentry/core';
import { ServerRuntimeClient } from '@sentry/core/server';

/**
 * A real Sentry client whose transport keeps every envelope in memory (nothing leaves the process).
 * Spans arrive as `transaction` items (`traceLifecycle: 'static'`, Sentry 10's way) unless
 * `traceLifecycle: 'stream'` (Sentry 11's default: `span` items) is asked for.
 */
export function sentry(options: Pick<ClientOptions, 'traceLifecycle' | 'beforeBreadcrumb' | 'maxBreadcrumbs'> = {}) {
  const envelopes: Envelope[] = [];
  const client = new ServerRuntimeClient({
    dsn: 'https://public@sentry.invalid/1',
    integrations: [],
    tracesSampleRate: 1,
    ...options,
    traceLifecycle: options.traceLifecycle ?? 'static',
    stackParser: createStackParser(),
    transport: (options) => createTransport(options, async (request) => {
      envelopes.push(parseEnvelope(request.body));
      return { statusCode: 200 };
    }),
  });
  client.init();
  const items = async (type: string) => {
    await client.flush(2000);
    const all = envelopes.flatMap(([, list]) => list as unknown as [{ type: string }, unknown][]);
    return all.filter(([header]) => header.type === type).map(([, payload]) => payload as Record<string, any>);
  };
  return { client, items };
}
