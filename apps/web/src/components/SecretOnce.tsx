import { Button, Code, CopyButton, Group, Modal, Stack, Text } from "@mantine/core";

/** A token or secret the API shows only in the answer that made it. */
export function SecretOnce({
  title,
  value,
  onClose,
  children,
}: {
  title: string;
  value: string | null;
  onClose: () => void;
  children: React.ReactNode;
}) {
  return (
    <Modal opened={value !== null} onClose={onClose} title={title} centered>
      <Stack>
        <Text>{children}</Text>
        <Code block style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }} data-testid="secret-once">
          {value}
        </Code>
        <Group justify="flex-end">
          <CopyButton value={value ?? ""}>
            {({ copied, copy }) => (
              <Button variant="default" onClick={copy}>
                {copied ? "Copied" : "Copy"}
              </Button>
            )}
          </CopyButton>
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
