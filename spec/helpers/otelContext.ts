import { AsyncLocalStorage } from 'node:async_hooks';
import { context, ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';

/**
 * The context manager a Node app gets from `@opentelemetry/sdk-node` (`AsyncLocalStorageContextManager`
 * of `@opentelemetry/context-async-hooks`, not installed here), in its few lines: `context.with`
 * reaches the async work started inside it (promises, timers), as an instrumented HTTP client sees it.
 * Installed globally; call the returned function to remove it.
 */
export function useAsyncLocalStorageContext(): () => void {
  const storage = new AsyncLocalStorage<Context>();
  const manager: ContextManager = {
    active: () => storage.getStore() ?? ROOT_CONTEXT,
    with: (ctx, fn, thisArg, ...args) => storage.run(ctx, () => fn.call(thisArg, ...args)),
    bind: (_ctx, target) => target,
    enable: () => manager,
    disable: () => manager,
  };
  context.setGlobalContextManager(manager);
  return () => context.disable();
}
