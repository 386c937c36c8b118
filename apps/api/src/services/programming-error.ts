/**
 * What JavaScript itself throws for a mistake in the code (reading a property of undefined, a bad
 * argument), never for Redis or Postgres being away: such an error must not pass for an outage.
 */
export function isProgrammingError(error: unknown): boolean {
  return (
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof ReferenceError ||
    error instanceof SyntaxError
  );
}
