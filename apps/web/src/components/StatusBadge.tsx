import { Badge } from "@mantine/core";

// The words carry the status; the colour of the dot only repeats it. (Mantine's "light" badges put
// coloured text on a tint, below WCAG AA contrast for most colours.)
const COLORS: Record<string, string> = {
  pending: "blue",
  running: "blue",
  delivering: "blue",
  awaiting_callback: "blue",
  waiting: "gray",
  succeeded: "green",
  success: "green",
  completed: "green",
  enabled: "green",
  failed: "red",
  failure: "red",
  error: "red",
  interrupted: "red",
  disabled: "gray",
  canceled: "gray",
  expired: "orange",
  abandoned: "gray",
  skipped: "gray",
};

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <Badge
      color={COLORS[status] ?? "gray"}
      variant="dot"
      radius="sm"
      tt="none"
      // A status cut to "succeed…" in a narrow column says nothing: the badge keeps its width.
      styles={{ root: { flexShrink: 0, maxWidth: "none", overflow: "visible" }, label: { overflow: "visible" } }}
    >
      {label ?? status.replaceAll("_", " ")}
    </Badge>
  );
}
