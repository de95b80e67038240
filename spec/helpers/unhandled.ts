/* Collects the promise rejections left unhandled while a spec's async work runs. */

/** Runs `work`, waits past the microtasks where Node detects an unhandled rejection, and returns those it saw. */
export async function unhandledDuring(work: () => Promise<void> | void): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await work();
    await new Promise((resolve) => setImmediate(resolve));
    return unhandled;
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
}
