import { isEventType } from "@hookyard/core/event-types";
import type { PayloadFormat } from "@hookyard/core/payload-format";
import { Checkbox, Modal, PasswordInput, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type FormEvent, useEffect, useRef, useState } from "react";
import type { Webhook, WebhookInput } from "../api/types";
import { type Scope, scopeLabel, useCreateWebhook, useUpdateWebhook } from "../api/webhooks";
import { DOCKERHUB_EVENT_TYPE, type EventTypeInfo, eventTypesFor, OPERATIONAL_EVENT_TYPES } from "../lib/event-types";
import { focusFirstError, splitError } from "../lib/field-errors";
import { splitList } from "../lib/format";
import { type HeaderRow, rateLimitValue, webhookProblems } from "../lib/webhook-rules";
import { FormFooter } from "./FormFooter";
import { HeaderFields } from "./HeaderFields";
import { DEFAULT_CONTENT_TYPE, PayloadFields } from "./PayloadFields";
import { RateLimitField } from "./RateLimitField";
import { TlsFields } from "./TlsFields";

const FIELDS = [
  "name",
  "url",
  "events",
  "format",
  "template",
  "templateContentType",
  "secret",
  "tags",
  "headers",
  "tlsCert",
  "skipTLSVerification",
  "rateLimit",
];
// The API names the tag filter `filter` or `filter.tags[i]`; the form has one field for it.
const ALIASES = { filter: "tags" };
const LABELS: Record<string, string> = {
  name: "Name",
  url: "URL",
  events: "Event types",
  format: "Format",
  template: "Template",
  templateContentType: "Content type",
  secret: "Secret",
  tags: "Tag filter",
  headers: "Headers",
  tlsCert: "CA certificate",
  skipTLSVerification: "Skip TLS verification",
  rateLimit: "Rate limit",
};

/** What the API shows in place of a credential-like header's value (core's redactHeaders). */
const REDACTED = "[redacted]";

const headerRows = (headers: Record<string, string> | undefined): HeaderRow[] =>
  Object.entries(headers ?? {}).map(([name, value]) =>
    value === REDACTED ? { name, value: "", hidden: true } : { name, value, hidden: false },
  );

export function WebhookFormModal({
  scope,
  webhook,
  opened,
  onClose,
  onCreated,
}: {
  scope: Scope;
  webhook?: Webhook;
  opened: boolean;
  onClose: () => void;
  /** After a creation: where focus should go next is the caller's to say. */
  onCreated?: (webhook: Webhook) => void;
}) {
  const title = webhook ? `Edit webhook ${webhook.name}` : "Create webhook";
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="lg" centered>
      {opened && <WebhookForm scope={scope} webhook={webhook} onDone={onClose} onCreated={onCreated} />}
    </Modal>
  );
}

function WebhookForm({
  scope,
  webhook,
  onDone,
  onCreated,
}: {
  scope: Scope;
  webhook?: Webhook;
  onDone: () => void;
  onCreated?: (webhook: Webhook) => void;
}) {
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const mutation = webhook ? update : create;
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState(webhook?.name ?? "");
  const [url, setUrl] = useState(webhook?.url ?? "");
  const [events, setEvents] = useState<string[]>(webhook?.events ?? [DOCKERHUB_EVENT_TYPE]);
  const [format, setFormat] = useState<PayloadFormat>(webhook?.format ?? "dtr");
  const [template, setTemplate] = useState(webhook?.template ?? "");
  const [contentType, setContentType] = useState(webhook?.templateContentType ?? DEFAULT_CONTENT_TYPE);
  const [rateLimit, setRateLimit] = useState<number | string>(webhook?.rateLimit ?? "");
  const [secret, setSecret] = useState("");
  const [removeSecret, setRemoveSecret] = useState(false);
  const [tags, setTags] = useState(webhook?.filter?.tags.join(", ") ?? "");
  const [headers, setHeaders] = useState<HeaderRow[]>(() => headerRows(webhook?.headers));
  // Saving headers replaces them all: they are sent only when changed, so hidden values are kept.
  const [headersChanged, setHeadersChanged] = useState(false);
  const [tlsCert, setTlsCert] = useState(webhook?.tlsCert ?? "");
  const [skipTls, setSkipTls] = useState(webhook?.skipTLSVerification ?? false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  // Bumped on each submit that finds errors, so that focus moves to the first one once it is shown.
  const [attempt, setAttempt] = useState(0);

  const offered = eventTypesFor(scope.kind);
  // A webhook made through the API may hold globs or types this list does not show: keep them visible.
  const known = [...offered, ...OPERATIONAL_EVENT_TYPES];
  const extra = (webhook?.events ?? []).filter((e) => !known.some((o) => o.type === e));
  const { general } = splitError(mutation.error, FIELDS, ALIASES, LABELS);

  useEffect(() => {
    if (attempt > 0) focusFirstError(formRef.current);
  }, [attempt]);

  /** A field edited: its error (the client's or the API's) no longer applies. */
  const clear = (...keys: string[]) =>
    setErrors((current) => {
      if (!keys.some((k) => k in current)) return current;
      const next = { ...current };
      for (const k of keys) delete next[k];
      return next;
    });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const sendHeaders = !webhook || headersChanged;
    const problems = webhookProblems({
      name,
      url,
      events,
      headers: sendHeaders ? headers : null,
      tlsCert,
      template: format === "template" ? template : null,
      rateLimit,
    });
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      setAttempt((n) => n + 1);
      return;
    }
    const tagList = splitList(tags);
    const input: WebhookInput = {
      name: name.trim(),
      url: url.trim(),
      events,
      format,
      skipTLSVerification: skipTls,
      rateLimit: rateLimitValue(rateLimit),
    };
    // Only the template format takes these; the API drops them when a PATCH changes the format away.
    if (format === "template") {
      input.template = template;
      input.templateContentType = contentType.trim() || DEFAULT_CONTENT_TYPE;
    }
    const headerMap = Object.fromEntries(headers.map((h) => [h.name.trim(), h.value]));
    if (webhook) {
      input.filter = tagList.length ? { tags: tagList } : null;
      if (removeSecret) input.secret = null;
      else if (secret) input.secret = secret;
      if (headersChanged) input.headers = headerMap;
      input.tlsCert = tlsCert.trim() === "" ? null : tlsCert;
    } else {
      if (tagList.length) input.filter = { tags: tagList };
      if (secret) input.secret = secret;
      if (headers.length) input.headers = headerMap;
      if (tlsCert.trim() !== "") input.tlsCert = tlsCert;
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
      if (!webhook) onCreated?.(saved);
    };
    const onError = (error: unknown) => {
      const { fieldErrors } = splitError(error, FIELDS, ALIASES, LABELS);
      setErrors(fieldErrors);
      setAttempt((n) => n + 1);
    };
    if (webhook) update.mutate({ id: webhook.id, input }, { onSuccess, onError });
    else create.mutate(input, { onSuccess, onError });
  };

  return (
    <form ref={formRef} onSubmit={submit} noValidate>
      <Stack>
        <TextInput
          label="Name"
          description="What the receiver is, for people: “CI”, “deploy to staging”."
          value={name}
          onChange={(e) => {
            setName(e.currentTarget.value);
            clear("name");
          }}
          error={errors.name}
          required
          data-autofocus
        />
        <TextInput
          label="URL"
          description="Where each delivery is POSTed: http or https."
          placeholder="https://ci.example.com/hooks/registry"
          value={url}
          onChange={(e) => {
            setUrl(e.currentTarget.value);
            clear("url");
          }}
          error={errors.url}
          required
          inputMode="url"
        />
        <Checkbox.Group
          label="Event types"
          description={`The events of ${scopeLabel(scope)} that reach this webhook.`}
          value={events}
          onChange={(value) => {
            setEvents(value);
            clear("events");
          }}
          error={errors.events}
          required
          data-field="events"
          {...(errors.events ? { "data-field-error": "" } : {})}
        >
          <EventCheckboxes types={[...offered, ...extra.map((e) => ({ type: e, label: "As set through the API" }))]} />
          <Text size="sm" fw={500} mt="sm">
            Hookyard's own events
          </Text>
          <EventCheckboxes types={OPERATIONAL_EVENT_TYPES} />
        </Checkbox.Group>
        <PayloadFields
          format={format}
          onFormat={(value) => {
            setFormat(value);
            clear("format", "events", "template", "templateContentType");
          }}
          template={template}
          onTemplate={(value) => {
            setTemplate(value);
            clear("template");
          }}
          contentType={contentType}
          onContentType={(value) => {
            setContentType(value);
            clear("templateContentType");
          }}
          eventType={events.find(isEventType)}
          scope={scope}
          errors={errors}
        />
        <RateLimitField
          value={rateLimit}
          onChange={(value) => {
            setRateLimit(value);
            clear("rateLimit");
          }}
          error={errors.rateLimit}
        />
        <PasswordInput
          label="Secret"
          description={
            webhook?.hasSecret
              ? "Optional. Leave empty to keep the current secret; a new one replaces it at once (Rotate secret keeps both for a while)."
              : "Optional. Signs every delivery (webhook-signature): whsec_… or 24+ characters."
          }
          value={secret}
          onChange={(e) => {
            setSecret(e.currentTarget.value);
            clear("secret");
          }}
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
          onChange={(e) => {
            setTags(e.currentTarget.value);
            clear("tags");
          }}
          error={errors.tags}
        />
        <HeaderFields
          rows={headers}
          onChange={(rows) => {
            setHeaders(rows);
            setHeadersChanged(true);
          }}
          errors={errors}
          onEdited={(key) => clear(key, "headers")}
        />
        <TlsFields
          tlsCert={tlsCert}
          onTlsCert={(pem) => {
            setTlsCert(pem);
            clear("tlsCert");
          }}
          skip={skipTls}
          onSkip={(skip) => {
            setSkipTls(skip);
            clear("skipTLSVerification");
          }}
          errors={errors}
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
