/* l0-rx/stores/redis: the Redis Streams event store (Node only; `redis` is an optional peer). */
export { createRedisEventStore, REDIS_EVENT_STORE_DEFAULTS } from './redisEventStore.js';
export type { RedisCommandClient, RedisEventStoreOptions, RedisFollowClient } from './redisEventStore.js';
