import { PAYLOAD_FORMATS, type PayloadFormat } from "@hookyard/core/payload-format";
import { Checkbox, Modal, NativeSelect, PasswordInput, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type FormEvent, useState } from "react";
import type { Webhook, WebhookInput } from "../api/types";
import { type Scope, scopeLabel, useCreateWebhook, useUpdateWebhook } from "../api/webhooks";
import { DOCKERHUB_EVENT_TYPE, type EventTypeInfo, eventTypesFor, OPERATIONAL_EVENT_TYPES } from "../lib/event-types";
import { splitError } from "../lib/field-errors";
import { splitList } from "../lib/format";
import { FormFooter } from "./FormFooter";

const FIELDS = ["name", "url", "events", "format", "secret", "tags"] as const;
// The API names the tag filter `filter` or `filter.tags[i]`; the form has one field for it.
const ALIASES = { filter: "tags" };

/** Every format must have its label: a format added to core fails this file's type check until it does. */
const FORMAT_LABELS: Record<PayloadFormat, string> = {
  dtr: "DTR (dtr)",
  dockerhub: "Docker Hub (dockerhub), TAG_PUSH only, with a callback_url",
  cloudevents: "CloudEvents 1.0 (cloudevents)",
  template: "Your Liquid template (template), set through the API",
  slack: "Slack incoming webhook (slack)",
  teams: "Microsoft Teams Workflows card (teams)",
  discord: "Discord webhook (discord)",
  googlechat: "Google Chat incoming webhook (googlechat)",
};
const FORMATS = PAYLOAD_FORMATS.map((value) => ({ value, label: FORMAT_LABELS[value] }));

export function WebhookFormModal({
  scope,
  webhook,
  opened,
  onClose,
}: {
  scope: Scope;
  webhook?: Webhook;
  opened: boolean;
  onClose: () => void;
}) {
  const title = webhook ? `Edit webhook ${webhook.name}` : "Create webhook";
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="lg" centered>
      {opened && <WebhookForm scope={scope} webhook={webhook} onDone={onClose} />}
    </Modal>
  );
}

function WebhookForm({ scope, webhook, onDone }: { scope: Scope; webhook?: Webhook; onDone: () => void }) {
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const mutation = webhook ? update : create;
  const [name, setName] = useState(webhook?.name ?? "");
  const [url, setUrl] = useState(webhook?.url ?? "");
  const [events, setEvents] = useState<string[]>(webhook?.events ?? [DOCKERHUB_EVENT_TYPE]);
  const [format, setFormat] = useState<PayloadFormat>(webhook?.format ?? "dtr");
  const [secret, setSecret] = useState("");
  const [removeSecret, setRemoveSecret] = useState(false);
  const [tags, setTags] = useState(webhook?.filter?.tags.join(", ") ?? "");
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const offered = eventTypesFor(scope.kind);
  // A webhook made through the API may hold globs or types this list does not show: keep them visible.
  const known = [...offered, ...OPERATIONAL_EVENT_TYPES];
  const extra = (webhook?.events ?? []).filter((e) => !known.some((o) => o.type === e));
  const { fieldErrors, general } = splitError(mutation.error, FIELDS, ALIASES);
  const errors: Record<string, string | undefined> = { ...fieldErrors, ...localErrors };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setLocalErrors({});
    const tagList = splitList(tags);
    const input: WebhookInput = { name: name.trim(), url: url.trim(), events, format };
    if (webhook) {
      input.filter = tagList.length ? { tags: tagList } : null;
      if (removeSecret) input.secret = null;
      else if (secret) input.secret = secret;
    } else {
      if (tagList.length) input.filter = { tags: tagList };
      if (secret) input.secret = secret;
      if (scope.kind === "repository") input.repository = scope.repository;
      if (scope.kind === "namespace") input.namespace = scope.namespace;
    }
    const onSuccess = (saved: Webhook) => {
      notifications.show({
        color: "green",
        title: webhook ? "Webhook saved" : "Webhook created",
        message: `${saved.name} ${webhook ? "was updated" : `now receives events of ${scopeLabel(scope)}`}.`,
      });
      onDone();
    };
    if (webhook) update.mutate({ id: webhook.id, input }, { onSuccess });
    else create.mutate(input, { onSuccess });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput
          label="Name"
          description="What the receiver is, for people: “CI”, “deploy to staging”."
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
          required
          data-autofocus
        />
        <TextInput
          label="URL"
          description="Where each delivery is POSTed: http or https."
          placeholder="https://ci.example.com/hooks/registry"
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          error={errors.url}
          required
          inputMode="url"
        />
        <Checkbox.Group
          label="Event types"
          description={`The events of ${scopeLabel(scope)} that reach this webhook.`}
          value={events}
          onChange={setEvents}
          error={errors.events}
          required
        >
          <EventCheckboxes types={[...offered, ...extra.map((e) => ({ type: e, label: "As set through the API" }))]} />
          <Text size="sm" fw={500} mt="sm">
            Hookyard's own events
          </Text>
          <EventCheckboxes types={OPERATIONAL_EVENT_TYPES} />
        </Checkbox.Group>
        <NativeSelect
          label="Format"
          description="The body each delivery carries. Chains need Docker Hub's."
          data={FORMATS}
          value={format}
          onChange={(e) => setFormat(e.currentTarget.value as PayloadFormat)}
          error={errors.format}
        />
        <PasswordInput
          label="Secret"
          description={
            webhook?.hasSecret
              ? "Optional. Leave empty to keep the current secret; a new one replaces it at once (Rotate secret keeps both for a while)."
              : "Optional. Signs every delivery (webhook-signature): whsec_… or 24+ characters."
          }
          value={secret}
          onChange={(e) => setSecret(e.currentTarget.value)}
          error={errors.secret}
          disabled={removeSecret}
          autoComplete="new-password"
        />
        {webhook?.hasSecret && (
          <Checkbox
            label="Remove the secret (deliveries go unsigned)"
            checked={removeSecret}
            onChange={(e) => setRemoveSecret(e.currentTarget.checked)}
          />
        )}
        <TextInput
          label="Tag filter"
          description="Optional. Comma-separated globs such as v*, release-*: only events whose tag matches one are sent."
          placeholder="v*, release-*"
          value={tags}
          onChange={(e) => setTags(e.currentTarget.value)}
          error={errors.tags}
        />
        <FormFooter
          what="webhook"
          error={general}
          editing={Boolean(webhook)}
          pending={mutation.isPending}
          onCancel={onDone}
        />
      </Stack>
    </form>
  );
}

function EventCheckboxes({ types }: { types: EventTypeInfo[] }) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6} mt="xs">
      {types.map((t) => (
        <Checkbox key={t.type} value={t.type} label={`${t.label} (${t.type})`} />
      ))}
    </SimpleGrid>
  );
}
