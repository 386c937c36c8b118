import {
  ActionIcon,
  Button,
  Checkbox,
  Group,
  Input,
  List,
  Modal,
  NativeSelect,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type FormEvent, useId, useState } from "react";
import { useSaveChain } from "../api/chains";
import type { Chain, ChainInput, Webhook } from "../api/types";
import { DOCKERHUB_EVENT_TYPE, REPOSITORY_EVENT_TYPES } from "../lib/event-types";
import { splitError } from "../lib/field-errors";
import { FormFooter } from "./FormFooter";

const FIELDS = ["name", "events", "webhooks"] as const;

export function ChainFormModal({
  repository,
  chain,
  webhooks,
  opened,
  onClose,
}: {
  repository: string;
  chain?: Chain;
  /** The repository's webhooks; those of the dockerhub format can be chained. */
  webhooks: Webhook[];
  opened: boolean;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={chain ? `Edit chain ${chain.name}` : "Create chain"}
      size="lg"
      centered
    >
      {opened && <ChainForm repository={repository} chain={chain} webhooks={webhooks} onDone={onClose} />}
    </Modal>
  );
}

function ChainForm({
  repository,
  chain,
  webhooks,
  onDone,
}: {
  repository: string;
  chain?: Chain;
  webhooks: Webhook[];
  onDone: () => void;
}) {
  const save = useSaveChain();
  const [name, setName] = useState(chain?.name ?? "");
  const [events, setEvents] = useState<string[]>(chain?.events ?? [DOCKERHUB_EVENT_TYPE]);
  const [steps, setSteps] = useState<string[]>(chain?.webhooks ?? []);
  const [adding, setAdding] = useState("");
  const stepsLabel = useId();
  const stepsError = useId();

  const names = new Map<string, string>(webhooks.map((w) => [w.id, w.name]));
  for (const step of chain?.steps ?? []) names.set(step.webhookId, step.name);
  // Oldest first, the order people make the steps of a pipeline in (the list comes newest first):
  // "Add step" twice gives Run tests, then Deploy.
  const candidates = webhooks
    .filter((w) => w.format === "dockerhub" && !steps.includes(w.id))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const { fieldErrors, general } = splitError(save.error, FIELDS);
  const typeLabel = REPOSITORY_EVENT_TYPES.find((t) => t.type === DOCKERHUB_EVENT_TYPE)?.label ?? "";

  const move = (index: number, by: -1 | 1) =>
    setSteps((list) => {
      const next = [...list];
      const [item] = next.splice(index, 1);
      if (item) next.splice(index + by, 0, item);
      return next;
    });

  const add = () => {
    const id = adding || candidates[0]?.id;
    if (id) setSteps((list) => [...list, id]);
    setAdding("");
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input: ChainInput = { name: name.trim(), events, webhooks: steps };
    if (!chain) input.repository = repository;
    save.mutate(chain ? { id: chain.id, input } : { input }, {
      onSuccess: (saved) => {
        notifications.show({
          color: "green",
          title: chain ? "Chain saved" : "Chain created",
          message: `${saved.name}: ${saved.steps.length} steps.`,
        });
        onDone();
      },
    });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput
          label="Name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={fieldErrors.name}
          required
          data-autofocus
        />
        <Checkbox.Group
          label="Event types"
          description="A chain runs on tag pushes: Docker Hub's body, which carries each step's callback_url, is for TAG_PUSH only."
          value={events}
          onChange={setEvents}
          error={fieldErrors.events}
          required
        >
          <Checkbox mt="xs" value={DOCKERHUB_EVENT_TYPE} label={`${typeLabel} (${DOCKERHUB_EVENT_TYPE})`} />
        </Checkbox.Group>
        <Input.Wrapper
          labelElement="div"
          label={<span id={stepsLabel}>Webhooks, in run order</span>}
          description="Each next webhook gets the push only once the one before called back success."
          error={fieldErrors.webhooks ? <span id={stepsError}>{fieldErrors.webhooks}</span> : undefined}
          required
        >
          <Stack gap="xs" mt="xs">
            {steps.length === 0 ? (
              <Text size="sm" c="dimmed">
                No webhooks yet: add them below.
              </Text>
            ) : (
              <List
                type="ordered"
                spacing="xs"
                aria-labelledby={stepsLabel}
                aria-describedby={fieldErrors.webhooks ? stepsError : undefined}
              >
                {steps.map((id, index) => {
                  const label = names.get(id) ?? id;
                  return (
                    <List.Item key={id}>
                      <Group gap="xs" wrap="nowrap">
                        <Text size="sm" style={{ flex: 1, overflowWrap: "anywhere" }}>
                          {label}
                        </Text>
                        <ActionIcon
                          variant="default"
                          aria-label={`Move ${label} up`}
                          disabled={index === 0}
                          onClick={() => move(index, -1)}
                        >
                          <span aria-hidden="true">↑</span>
                        </ActionIcon>
                        <ActionIcon
                          variant="default"
                          aria-label={`Move ${label} down`}
                          disabled={index === steps.length - 1}
                          onClick={() => move(index, 1)}
                        >
                          <span aria-hidden="true">↓</span>
                        </ActionIcon>
                        <ActionIcon
                          variant="default"
                          aria-label={`Remove ${label}`}
                          onClick={() => setSteps((list) => list.filter((s) => s !== id))}
                        >
                          <span aria-hidden="true">×</span>
                        </ActionIcon>
                      </Group>
                    </List.Item>
                  );
                })}
              </List>
            )}
            {candidates.length > 0 ? (
              <Group align="flex-end" gap="xs" wrap="nowrap">
                <NativeSelect
                  label="Webhook to add"
                  data={candidates.map((w) => ({ value: w.id, label: w.name }))}
                  value={adding || candidates[0]?.id}
                  onChange={(e) => setAdding(e.currentTarget.value)}
                  style={{ flex: 1 }}
                />
                <Button variant="default" onClick={add}>
                  Add step
                </Button>
              </Group>
            ) : (
              <Text size="sm" c="dimmed">
                {steps.length === 0
                  ? "This repository has no webhook of the Docker Hub format: create one (Format: Docker Hub) on the Webhooks tab first."
                  : "Every Docker Hub webhook of this repository is in the list."}
              </Text>
            )}
          </Stack>
        </Input.Wrapper>
        <FormFooter what="chain" error={general} editing={Boolean(chain)} pending={save.isPending} onCancel={onDone} />
      </Stack>
    </form>
  );
}
