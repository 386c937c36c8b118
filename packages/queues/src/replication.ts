import type { Queue } from "bullmq";
import type { Queues } from "./catalog.js";
import { isCluster } from "./redis.js";

/**
 * A Redis Cluster master answers a write before its replica has it; if the master dies then, the
 * replica promoted in its place never had the write. Ingest answers 202 only after this returns: in
 * a cluster it WAITs until a replica of the master holding `queue` has everything this client wrote
 * there. A master without a replica (its replica died, or was promoted and its old master is not
 * back) is not waited on: its own append-only file is then all the durability there is, and a WAIT
 * would only spend its whole timeout on every batch. A replica that is there but does not confirm
 * in time fails the call, and ingest answers 503. One Redis (no cluster) is left as it always was.
 */
export async function waitForReplica(queues: Queues, queue: Queue, timeoutMs: number): Promise<void> {
  const connection = queues.connection;
  if (!isCluster(connection)) return;
  // The queue's key routes each pipeline to the queue's master, on the connection that wrote there
  // (WAIT counts that connection's writes); ROLE and WAIT, which take no key, go with it.
  const key = queue.toKey("meta");
  const role = await connection.pipeline().exists(key).role().exec();
  const [, [roleError, roleReply] = []] = role ?? [];
  if (roleError) throw roleError;
  const replicas = ((roleReply as unknown[])[2] as unknown[] | undefined) ?? [];
  if (replicas.length === 0) return;
  const waited = await connection.pipeline().exists(key).wait(1, timeoutMs).exec();
  const [, [waitError, acknowledged] = []] = waited ?? [];
  if (waitError) throw waitError;
  if ((acknowledged as number) < 1) {
    throw new Error(`no replica of the Redis Cluster master holding ${queue.name} confirmed the write in time`);
  }
}
