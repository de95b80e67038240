/**
 * The object shared under `key` on `globalThis` (`initial` when there is none yet), so the package's
 * ESM and CJS copies share it. Read once, into a module constant: a per-token reader then pays one
 * load, not a call and a check per use (profiles of the content stack showed the lazy lookups as
 * functions of their own, called a few times per token). Callers mark the call `#__PURE__`, so a
 * bundle that does not use the slot drops it. @internal
 */
export function globalSlot<T extends object>(key: symbol, initial: T): T {
  const host = globalThis as unknown as Record<symbol, T | undefined>;
  return (host[key] ??= initial);
}
