import {
  ActionIcon,
  Anchor,
  Button,
  Code,
  CopyButton,
  Group,
  Menu,
  Modal,
  NativeSelect,
  Stack,
  Text,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { Link } from "react-router";
import type { Webhook } from "../api/types";
import { type Scope, useDeleteWebhook, useRotateSecret, useTestWebhook, useUpdateWebhook } from "../api/webhooks";
import { formatDuration } from "../lib/format";
import { ConfirmDialog } from "./ConfirmDialog";
import { ErrorAlert, errorMessage } from "./ErrorAlert";
import { BodyBlock } from "./HeadersBlock";
import { Loading } from "./Loading";
import { Time } from "./Time";
import { WebhookFormModal } from "./WebhookForm";

type Dialog = "edit" | "test" | "rotate" | "delete" | null;

const GRACE = [
  { value: "24h", label: "24 hours" },
  { value: "1h", label: "1 hour" },
  { value: "7d", label: "7 days" },
  { value: "0s", label: "No time: it stops signing at once" },
];

/** The menu of one webhook's row: Docker Hub's "Menu options", with DTR's and Hookyard's operations. */
export function WebhookActions({
  webhook,
  scope,
  onDeleted,
}: {
  webhook: Webhook;
  scope: Scope;
  /** After the webhook is deleted: a page of its own has to go elsewhere. */
  onDeleted?: () => void;
}) {
  const [dialog, setDialog] = useState<Dialog>(null);
  const update = useUpdateWebhook();
  const remove = useDeleteWebhook();
  const test = useTestWebhook();
  const rotate = useRotateSecret();
  const [grace, setGrace] = useState("24h");
  const close = () => setDialog(null);

  const toggleEnabled = () =>
    update.mutate(
      { id: webhook.id, input: { enabled: !webhook.enabled } },
      {
        onSuccess: (saved) =>
          notifications.show({
            color: saved.enabled ? "green" : "gray",
            title: saved.enabled ? "Webhook enabled" : "Webhook disabled",
            message: saved.enabled
              ? `${saved.name} receives events again. Recover sends what it missed.`
              : `${saved.name} receives nothing until it is enabled again; events are kept for Recover.`,
          }),
        onError: (error) => notifications.show({ color: "red", title: "Not changed", message: errorMessage(error) }),
      },
    );

  const [testType, setTestType] = useState<string>(webhook.events[0] ?? "");
  const openTest = () => {
    test.reset();
    setTestType(webhook.events[0] ?? "");
    setDialog("test");
  };

  return (
    <>
      <Menu position="bottom-end" shadow="md">
        <Menu.Target>
          <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${webhook.name}`}>
            <span aria-hidden="true" style={{ fontSize: 20, lineHeight: 1 }}>
              ⋮
            </span>
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item component={Link} to={`/webhooks/${encodeURIComponent(webhook.id)}`}>
            Details
          </Menu.Item>
          <Menu.Item component={Link} to={`/webhooks/${encodeURIComponent(webhook.id)}/history`}>
            View history
          </Menu.Item>
          <Menu.Item onClick={openTest}>Test</Menu.Item>
          <Menu.Item onClick={() => setDialog("edit")}>Edit</Menu.Item>
          <Menu.Item onClick={toggleEnabled}>{webhook.enabled ? "Disable" : "Enable"}</Menu.Item>
          <Menu.Item
            onClick={() => {
              rotate.reset();
              setDialog("rotate");
            }}
          >
            Rotate secret
          </Menu.Item>
          {/* Red 9: Mantine's red 6 on white is 3.3:1, below WCAG AA's 4.5:1. */}
          <Menu.Item c="red.9" onClick={() => setDialog("delete")}>
            Delete
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>

      <WebhookFormModal scope={scope} webhook={webhook} opened={dialog === "edit"} onClose={close} />

      <ConfirmDialog
        opened={dialog === "delete"}
        title={`Delete webhook ${webhook.name}?`}
        confirmLabel="Delete webhook"
        onClose={close}
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() =>
          remove.mutate(webhook.id, {
            onSuccess: () => {
              close();
              notifications.show({ color: "green", title: "Webhook deleted", message: `${webhook.name} was deleted.` });
              onDeleted?.();
            },
          })
        }
      >
        {webhook.name} stops receiving events for good, its pending deliveries are canceled, and it leaves any chain it
        is in. This cannot be undone.
      </ConfirmDialog>

      <Modal opened={dialog === "test"} onClose={close} title={`Test delivery to ${webhook.name}`} size="lg" centered>
        <Stack gap="sm">
          <Group align="flex-end" gap="xs" wrap="wrap">
            <NativeSelect
              label="Event type"
              description="A sample event of this type is sent at once, outside the queue."
              data={webhook.events}
              value={testType}
              onChange={(e) => setTestType(e.currentTarget.value)}
              style={{ flex: 1, minWidth: 200 }}
              data-autofocus
            />
            <Button loading={test.isPending} onClick={() => test.mutate({ id: webhook.id, type: testType })}>
              Send test
            </Button>
          </Group>
          {test.isPending ? (
            <Loading label="Sending a sample event" />
          ) : test.error ? (
            <ErrorAlert error={test.error} title="The test was not sent" />
          ) : test.data ? (
            <Stack gap="xs">
              <Text>
                A sample {test.data.eventType} event was sent at <Time value={test.data.attempt.startedAt} />.
              </Text>
              <Text fw={600}>
                {test.data.attempt.statusCode !== null
                  ? `The receiver answered HTTP ${test.data.attempt.statusCode}`
                  : `No answer: ${test.data.attempt.error ?? "unknown error"}`}{" "}
                in {formatDuration(test.data.attempt.durationMs)}.
              </Text>
              <Text size="sm" fw={600}>
                Response body
              </Text>
              <BodyBlock body={test.data.attempt.responseBody} />
              <Anchor component={Link} to={`/deliveries/${encodeURIComponent(test.data.deliveryId)}`}>
                Open this test delivery
              </Anchor>
            </Stack>
          ) : null}
        </Stack>
      </Modal>

      <Modal opened={dialog === "rotate"} onClose={close} title={`Rotate the secret of ${webhook.name}`} centered>
        {rotate.data ? (
          <Stack>
            <Text>The new secret, shown only now: put it in your receiver's settings.</Text>
            <Code block style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>
              {rotate.data.secret}
            </Code>
            <Text size="sm">
              {rotate.data.previousSecretExpiresAt ? (
                <>
                  The old secret keeps signing beside it until <Time value={rotate.data.previousSecretExpiresAt} />.
                </>
              ) : (
                "The old secret no longer signs."
              )}
            </Text>
            <Group justify="flex-end">
              <CopyButton value={rotate.data.secret}>
                {({ copied, copy }) => (
                  <Button variant="default" onClick={copy}>
                    {copied ? "Copied" : "Copy secret"}
                  </Button>
                )}
              </CopyButton>
              <Button onClick={close}>Done</Button>
            </Group>
          </Stack>
        ) : (
          <Stack>
            <Text>
              Hookyard makes a new secret. Until your receiver knows it, deliveries also carry a signature with the old
              one.
            </Text>
            <NativeSelect
              label="The old secret keeps signing for"
              data={GRACE}
              value={grace}
              onChange={(e) => setGrace(e.currentTarget.value)}
            />
            <ErrorAlert error={rotate.error} title="The secret was not rotated" />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button loading={rotate.isPending} onClick={() => rotate.mutate({ id: webhook.id, grace })}>
                Rotate secret
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}
