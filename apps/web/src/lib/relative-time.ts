/** Relative times ("3 min ago", "in 10 min") and the absolute time with its zone, for <Time>. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How far `iso` is from `now`, in words: "just now", "3 min ago", "in 10 min", "2 h ago", "5 d ago". */
export function formatRelative(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const diff = at - now;
  const distance = Math.abs(diff);
  if (distance < 45_000) return diff > 0 ? "in less than a minute" : "just now";
  const amount =
    distance < HOUR
      ? `${Math.max(1, Math.round(distance / MINUTE))} min`
      : distance < DAY
        ? `${Math.round(distance / HOUR)} h`
        : `${Math.round(distance / DAY)} d`;
  return diff > 0 ? `in ${amount}` : `${amount} ago`;
}

const parts = new Intl.DateTimeFormat("en-US", {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
  timeZoneName: "short",
});

/** The absolute time in the browser's zone, with the zone: "2026-12-07 01:02:03 UTC". */
export function formatAbsolute(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const p = Object.fromEntries(parts.formatToParts(date).map((part) => [part.type, part.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
}
