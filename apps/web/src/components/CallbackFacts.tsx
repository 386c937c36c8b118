import { Anchor } from "@mantine/core";
import type { Callback } from "../api/types";
import { Fact, Facts } from "./Facts";
import { StatusBadge } from "./StatusBadge";
import { Time } from "./Time";

/** What a dockerhub receiver said at its callback_url (Docker Hub's state, description, context, target_url). */
export function CallbackFacts({ callback }: { callback: Callback }) {
  return (
    <Facts>
      <Fact term="Callback state">{callback.state ? <StatusBadge status={callback.state} /> : "No callback yet"}</Fact>
      <Fact term="Description">{callback.description ?? "—"}</Fact>
      <Fact term="Context">{callback.context ?? "—"}</Fact>
      <Fact term="Target URL">
        {callback.targetUrl ? (
          <Anchor href={callback.targetUrl} target="_blank" rel="noreferrer noopener">
            {callback.targetUrl}
          </Anchor>
        ) : (
          "—"
        )}
      </Fact>
      <Fact term="Received">
        <Time value={callback.receivedAt} />
      </Fact>
      <Fact term="Callback URL works until">
        <Time value={callback.expiresAt} />
      </Fact>
    </Facts>
  );
}
