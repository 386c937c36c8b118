import type { Config } from "@hookyard/config";
import type { Db } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import type { Queues, RedisConnection } from "@hookyard/queues";
import type { Transport } from "@hookyard/transport";
import type { AuthFailureLimiter } from "./http/auth-limiter.js";

/** What the routes are built from; made once per process in server.ts. */
export interface ApiDeps {
  config: Config;
  db: Db;
  redis: RedisConnection;
  queues: Queues;
  logger: Logger;
  /** For tests sent on request; deliveries go out from the workers. */
  transport: Transport;
  /** Failed authentications per client address, for every route that checks a credential. */
  authLimiter: AuthFailureLimiter;
}
