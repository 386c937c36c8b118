import { EmptyState } from "@mantine/core";
import type { ReactNode } from "react";

/** An empty list, saying what to do about it. */
export function EmptyNote({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <EmptyState title={title} description={children} py="xl">
      {actions && <EmptyState.Actions>{actions}</EmptyState.Actions>}
    </EmptyState>
  );
}
