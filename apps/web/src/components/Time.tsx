import { formatTime } from "../lib/format";

export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <span>—</span>;
  return <time dateTime={value}>{formatTime(value)}</time>;
}
