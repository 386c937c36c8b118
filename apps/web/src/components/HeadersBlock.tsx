import { Code, Text } from "@mantine/core";

export function HeadersBlock({
  headers,
  empty = "None recorded",
}: {
  headers: Record<string, string> | null;
  empty?: string;
}) {
  const entries = Object.entries(headers ?? {});
  if (entries.length === 0) return <Text c="dimmed">{empty}</Text>;
  return (
    <Code block style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
      {entries.map(([name, value]) => `${name}: ${value}`).join("\n")}
    </Code>
  );
}

export function BodyBlock({ body, empty = "Empty" }: { body: string | null; empty?: string }) {
  if (!body) return <Text c="dimmed">{empty}</Text>;
  return (
    <Code block style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
      {prettyJson(body)}
    </Code>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
