import { type Config, ConfigError, loadConfig } from "./load-config.js";

/** A reason a process must not run, found while starting (an evicting Redis): said without a stack. */
export class StartupError extends Error {
  override name = "StartupError";
}

/**
 * The start of every Hookyard process: read the configuration once (a bad value stops start-up with
 * a message naming the variable), run, and stop cleanly on SIGINT/SIGTERM.
 */
export async function runProcess(
  name: string,
  start: (config: Config) => Promise<{ close(): Promise<void> }>,
): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: invalid configuration: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  let handle: { close(): Promise<void> } | undefined;
  let stopping = false;
  const close = (running: { close(): Promise<void> }) =>
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${name}: error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${name}: ${signal} received, stopping\n`);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    // A signal during start-up (a Ctrl-C, a rollout) is answered once the process is up: killed by
    // it mid-start, the process would leave connections half made and say nothing.
    if (handle) void close(handle);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  try {
    handle = await start(config);
  } catch (error) {
    // A known reason not to run is said plainly; anything else with its stack.
    process.stderr.write(
      `${name}: cannot start: ${error instanceof StartupError ? error.message : String((error as Error)?.stack ?? error)}\n`,
    );
    process.exit(1);
  }
  if (stopping) void close(handle);
}
