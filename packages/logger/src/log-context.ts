import { AsyncLocalStorage } from "node:async_hooks";

/** Ids that every log line written while handling one request or job carries. */
export type LogContext = Record<string, string>;

const storage = new AsyncLocalStorage<LogContext>();

export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, fn);
}

export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}
