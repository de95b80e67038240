/* l0-rx/breakers/redis: a circuit-breaker store in Redis, so a fleet of servers shares one breaker per model. */
export { redisBreakerStore } from './redisBreakerStore.js';
export type { RedisBreakerClient, RedisBreakerStoreConfig } from './redisBreakerStore.js';
