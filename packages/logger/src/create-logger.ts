import winston from "winston";
import { currentLogContext } from "./log-context.js";
import { redact } from "./redact.js";

export type Logger = winston.Logger;

/** Adds the request or job id of the code that is logging, and drops secret-looking fields. */
const contextAndRedaction = winston.format((info) => {
  const cleaned = redact({ ...info }) as Record<string, unknown>;
  // winston keeps its own bookkeeping under symbol keys (LEVEL, SPLAT); they must survive.
  for (const symbol of Object.getOwnPropertySymbols(info)) cleaned[symbol as unknown as string] = info[symbol as never];
  return Object.assign(cleaned, currentLogContext(), {
    level: info.level,
    message: info.message,
  }) as winston.Logform.TransformableInfo;
});

/** JSON lines on stdout, one logger per process; `service` says which process wrote the line. */
export function createLogger(options: { service: string; level?: string; silent?: boolean }): Logger {
  return winston.createLogger({
    level: options.level ?? "info",
    silent: options.silent ?? false,
    defaultMeta: { service: options.service },
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      winston.format.timestamp(),
      contextAndRedaction(),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console()],
  });
}
