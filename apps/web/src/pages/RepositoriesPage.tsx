import { Anchor, Card, Loader, Stack, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue, useMediaQuery } from "@mantine/hooks";
import { useState } from "react";
import { Link } from "react-router";
import { useRepositories } from "../api/repositories";
import { useUser } from "../api/session";
import type { RepositorySummary } from "../api/types";
import { CursorPager, useCursorPages } from "../components/CursorPager";
import { EmptyNote } from "../components/EmptyNote";
import { ErrorAlert } from "../components/ErrorAlert";
import { Loading } from "../components/Loading";
import { PageHeader } from "../components/PageHeader";
import { Time } from "../components/Time";

export function repositoryPath(repository: string): string {
  return `/repositories/${repository.split("/").map(encodeURIComponent).join("/")}`;
}

export function RepositoriesPage() {
  const user = useUser();
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const pages = useCursorPages(debounced);
  const repositories = useRepositories(debounced, pages.cursor);
  const items = repositories.data?.items ?? [];
  const phone = useMediaQuery("(max-width: 48em)");

  return (
    <>
      <PageHeader
        title="Repositories"
        description="The repositories whose webhooks you may manage: granted to you, or seen in your namespaces' events."
      />
      <Stack>
        <TextInput
          label="Search repositories"
          placeholder="acme/web"
          type="search"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          rightSection={repositories.isFetching ? <Loader size="xs" aria-hidden /> : null}
          maw={420}
        />
        <ErrorAlert error={repositories.error} title="The repositories could not be loaded" />
        {repositories.isPending ? (
          <Loading label="Loading repositories" />
        ) : items.length === 0 && pages.page === 1 ? (
          debounced ? (
            <EmptyNote title={`No repository matches “${debounced}”`}>
              Check the spelling, or search for part of the name.
            </EmptyNote>
          ) : (
            <EmptyNote title="No repositories yet">
              {user.admin
                ? "A repository appears here once your registry sends its first event: push an image to it."
                : "Ask a Hookyard admin for a grant on a repository or namespace, or push an image to a namespace you own."}
            </EmptyNote>
          )
        ) : phone ? (
          <RepositoryCards items={items} />
        ) : (
          <Table.ScrollContainer minWidth={520}>
            <Table striped highlightOnHover verticalSpacing="sm">
              <Table.Caption>
                {pages.page > 1 || repositories.data?.nextCursor
                  ? "Repositories"
                  : items.length === 1
                    ? "1 repository"
                    : `${items.length} repositories`}
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Repository</Table.Th>
                  <Table.Th scope="col">Webhooks</Table.Th>
                  <Table.Th scope="col">Chains</Table.Th>
                  <Table.Th scope="col">Last event</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((r) => (
                  <Table.Tr key={r.repository}>
                    <Table.Td>
                      <Anchor component={Link} to={repositoryPath(r.repository)} fw={500}>
                        {r.repository}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{r.webhooks}</Table.Td>
                    <Table.Td>{r.chains}</Table.Td>
                    <Table.Td>
                      {r.lastEventAt ? (
                        <Time value={r.lastEventAt} />
                      ) : (
                        <Text span c="dimmed">
                          No event yet
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <CursorPager pages={pages} nextCursor={repositories.data?.nextCursor} label="Pages of repositories" />
      </Stack>
    </>
  );
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** At phone width: one card per repository instead of a table too wide to read. */
function RepositoryCards({ items }: { items: RepositorySummary[] }) {
  return (
    <Stack gap="xs" component="ul" aria-label="Repositories" p={0} m={0} style={{ listStyle: "none" }}>
      {items.map((r) => (
        <Card key={r.repository} withBorder component="li" padding="sm">
          <Anchor component={Link} to={repositoryPath(r.repository)} fw={500}>
            {r.repository}
          </Anchor>
          <Text size="xs" c="dimmed">
            {plural(r.webhooks, "webhook", "webhooks")} · {plural(r.chains, "chain", "chains")} ·{" "}
            {r.lastEventAt ? (
              <>
                last event <Time value={r.lastEventAt} />
              </>
            ) : (
              "no event yet"
            )}
          </Text>
        </Card>
      ))}
    </Stack>
  );
}
