import { formatAbsolute, formatRelative } from "../lib/relative-time";
import { useNow } from "../lib/use-now";

/**
 * A time as people read it in a list: relative ("3 min ago", renewed every minute), with the
 * absolute time and its zone on hover (title) and to machines (dateTime).
 */
export function Time({ value }: { value: string | null | undefined }) {
  const now = useNow();
  if (!value) return <span>—</span>;
  return (
    <time dateTime={value} title={formatAbsolute(value)}>
      {formatRelative(value, now)}
    </time>
  );
}
