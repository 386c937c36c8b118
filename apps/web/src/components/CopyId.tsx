import { ActionIcon, CopyButton, Group, Text, Tooltip, VisuallyHidden } from "@mantine/core";
import type { ReactNode } from "react";

/**
 * An id in monospace with a button that copies it. "Copied" is said in a live region too, so that a
 * screen reader announces it, not only shown in the tooltip.
 */
export function CopyId({ value, what }: { value: string; what: string }) {
  return (
    <Group gap={4} wrap="nowrap" component="span" style={{ display: "inline-flex", maxWidth: "100%" }}>
      <Text component="span" ff="monospace" size="sm" style={{ overflowWrap: "anywhere" }}>
        {value}
      </Text>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <>
            <Tooltip label={copied ? "Copied" : `Copy ${what} id`} withArrow>
              <ActionIcon
                variant="subtle"
                color={copied ? "teal" : "gray"}
                size="sm"
                aria-label={`Copy ${what} id`}
                onClick={copy}
              >
                {copied ? <CheckIcon /> : <CopyIcon />}
              </ActionIcon>
            </Tooltip>
            <VisuallyHidden role="status">{copied ? "Copied" : ""}</VisuallyHidden>
          </>
        )}
      </CopyButton>
    </Group>
  );
}

// Drawn, not a character: the system fonts lack a copy sign.
function Icon({ children }: { children: ReactNode }) {
  return (
    <svg
      width="14"
      height="14"
      viewBox="0 0 24 24"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
    >
      {children}
    </svg>
  );
}

function CopyIcon() {
  return (
    <Icon>
      <rect x="9" y="9" width="12" height="12" rx="2" />
      <path d="M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1" />
    </Icon>
  );
}

function CheckIcon() {
  return (
    <Icon>
      <path d="M4 12l5 5L20 6" />
    </Icon>
  );
}
