import { Anchor, List, Text } from "@mantine/core";
import { Link } from "react-router";
import type { Overview } from "../../api/overview";
import { Time } from "../Time";
import { scopeOf } from "./SlowestChart";

/** The disabled webhooks, each linking to its history, with why and since when. */
export function DisabledWebhooks({ disabled }: { disabled: Overview["disabledWebhooks"] }) {
  if (disabled.total === 0) return <Text size="sm">No webhook is disabled.</Text>;
  return (
    <>
      <List spacing="xs" listStyleType="none" aria-label="Disabled webhooks">
        {disabled.items.map((w) => (
          <List.Item key={w.id}>
            <Anchor component={Link} to={`/webhooks/${encodeURIComponent(w.id)}/history`}>
              {w.name}
            </Anchor>{" "}
            <Text span size="sm" c="dimmed">
              ({scopeOf(w)}) since <Time value={w.since} />
            </Text>
            <Text size="sm" style={{ overflowWrap: "anywhere" }}>
              {w.reason ?? "Created paused"}
            </Text>
          </List.Item>
        ))}
      </List>
      {disabled.total > disabled.items.length && (
        <Text size="sm" c="dimmed" mt="xs">
          {disabled.items.length} of {disabled.total} shown, the latest changed first.
        </Text>
      )}
    </>
  );
}
