import { NativeSelect, Stack } from "@mantine/core";
import { useSearchParams } from "react-router";
import { useRepositories } from "../api/repositories";
import { useUser } from "../api/session";
import type { Scope } from "../api/webhooks";
import { EmptyNote } from "../components/EmptyNote";
import { PageHeader } from "../components/PageHeader";
import { WebhooksSection } from "../components/WebhooksSection";

const GLOBAL = "global";

/** Webhooks of a whole namespace (its owners) or of the whole registry (global admins). */
export function ScopedWebhooksPage() {
  const user = useUser();
  // A global admin's namespaces: those of the repositories on the first page, at most 200 (others by ?namespace=).
  const repositories = useRepositories("", undefined, 200);
  const [search, setSearch] = useSearchParams();

  const namespaces = [
    ...new Set([...user.namespaces, ...(user.admin ? (repositories.data?.items ?? []).map((r) => r.namespace) : [])]),
  ].sort();
  const options = [
    ...(user.admin ? [{ value: GLOBAL, label: "Global: every event of the registry" }] : []),
    ...namespaces.map((ns) => ({ value: `ns:${ns}`, label: `Namespace ${ns}` })),
  ];
  const asked = search.get("namespace");
  const selected = asked ? `ns:${asked}` : (options[0]?.value ?? "");
  const scope: Scope | null =
    selected === GLOBAL
      ? { kind: "global" }
      : selected.startsWith("ns:") && (user.admin || user.namespaces.includes(selected.slice(3)))
        ? { kind: "namespace", namespace: selected.slice(3) }
        : null;

  return (
    <>
      <PageHeader
        title="Namespace & global webhooks"
        description="Webhooks for every repository of a namespace, for its repository events, or for the whole registry."
      />
      <Stack>
        {options.length === 0 ? (
          <EmptyNote title="No namespace of yours">
            Only namespace owners and global admins have webhooks here. Ask an admin to make you the owner of a
            namespace.
          </EmptyNote>
        ) : (
          <>
            <NativeSelect
              label="Scope"
              data={
                options.some((o) => o.value === selected)
                  ? options
                  : [...options, { value: selected, label: `Namespace ${asked}` }]
              }
              value={selected}
              onChange={(e) => {
                const value = e.currentTarget.value;
                setSearch(value === GLOBAL ? {} : { namespace: value.slice(3) });
              }}
              maw={420}
            />
            {scope ? (
              <WebhooksSection key={selected} scope={scope} />
            ) : (
              <EmptyNote title="Not a namespace of yours">Choose one of yours in Scope.</EmptyNote>
            )}
          </>
        )}
      </Stack>
    </>
  );
}
