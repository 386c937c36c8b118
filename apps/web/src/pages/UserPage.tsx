import {
  Anchor,
  Breadcrumbs,
  Button,
  Group,
  NativeSelect,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type FormEvent, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError } from "../api/client";
import { useUser } from "../api/session";
import type { Grant } from "../api/types";
import {
  useAddGrant,
  useCreateToken,
  useDeleteUser,
  useGrants,
  useRemoveGrant,
  useRevokeToken,
  useTokens,
  useUserDetails,
} from "../api/users";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { CopyId } from "../components/CopyId";
import { CursorPager, useCursorPages } from "../components/CursorPager";
import { ErrorAlert, errorMessage } from "../components/ErrorAlert";
import { Loading } from "../components/Loading";
import { NotFound } from "../components/NotFound";
import { PageHeader } from "../components/PageHeader";
import { SecretOnce } from "../components/SecretOnce";
import { Time } from "../components/Time";
import { splitError } from "../lib/field-errors";

export function UserPage() {
  const me = useUser();
  const id = useParams().id ?? "";
  const user = useUserDetails(id);
  const remove = useDeleteUser();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);

  if (!me.admin) return <NotFound what="users page" explanation="Only global admins manage users." />;
  if (user.isPending) return <Loading label="Loading the user" />;
  if (user.error instanceof ApiError && user.error.status === 404) return <NotFound what="such user" />;
  if (!user.data) return <ErrorAlert error={user.error} title="The user could not be loaded" />;
  const u = user.data;

  return (
    <>
      <PageHeader
        title={u.name}
        description={
          <>
            {u.admin ? "Global admin: may manage every webhook and user." : "User: administers what its grants say."}{" "}
            <CopyId value={u.id} what="user" />
          </>
        }
        above={
          <Breadcrumbs>
            <Anchor component={Link} to="/users">
              Users
            </Anchor>
            <span>{u.name}</span>
          </Breadcrumbs>
        }
        actions={
          <Button color="red" variant="light" onClick={() => setConfirming(true)}>
            Delete user
          </Button>
        }
      />
      <Stack>
        <Grants userId={u.id} />
        <Tokens userId={u.id} />
      </Stack>
      <ConfirmDialog
        opened={confirming}
        title={`Delete user ${u.name}?`}
        confirmLabel="Delete user"
        onClose={() => setConfirming(false)}
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() =>
          remove.mutate(u.id, {
            onSuccess: () => {
              notifications.show({ color: "green", title: "User deleted", message: `${u.name} was deleted.` });
              navigate("/users");
            },
          })
        }
      >
        Its tokens stop working and its grants end at once. A user who made webhooks cannot be deleted: revoke its
        tokens instead.
      </ConfirmDialog>
    </>
  );
}

function grantLabel(g: Grant): string {
  return g.repository ? `admin of repository ${g.repository}` : `owner of namespace ${g.namespace}`;
}

function Grants({ userId }: { userId: string }) {
  const pages = useCursorPages();
  const grants = useGrants(userId, pages.cursor);
  const add = useAddGrant(userId);
  const remove = useRemoveGrant(userId);
  const [kind, setKind] = useState<"repository" | "namespace">("repository");
  const [target, setTarget] = useState("");
  const { fieldErrors, general } = splitError(add.error, ["repository", "namespace", "role"]);
  const items = grants.data?.items ?? [];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = target.trim();
    add.mutate(kind === "repository" ? { repository: value, role: "admin" } : { namespace: value, role: "owner" }, {
      onSuccess: () => setTarget(""),
    });
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="grants-title">
      <Title order={2} size="h4" id="grants-title" mb="sm">
        Grants
      </Title>
      <ErrorAlert error={grants.error} title="The grants could not be loaded" />
      {grants.isPending ? (
        <Loading label="Loading grants" />
      ) : items.length === 0 && pages.page === 1 ? (
        <Text c="dimmed" mb="sm">
          No grants: this user administers nothing yet. Add a repository or a namespace below.
        </Text>
      ) : (
        <Table mb="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Grant</Table.Th>
              <Table.Th scope="col">Since</Table.Th>
              <Table.Th scope="col">
                <VisuallyHidden>Remove</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((g) => (
              <Table.Tr key={g.id}>
                <Table.Td>{grantLabel(g)}</Table.Td>
                <Table.Td>
                  <Time value={g.createdAt} />
                </Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="default"
                    aria-label={`Remove grant: ${grantLabel(g)}`}
                    onClick={() =>
                      remove.mutate(g.id, {
                        onError: (e) =>
                          notifications.show({ color: "red", title: "Not removed", message: errorMessage(e) }),
                      })
                    }
                  >
                    Remove
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <CursorPager
        pages={pages}
        nextCursor={grants.data?.nextCursor}
        label="Pages of grants"
        shown={items.length}
        total={grants.data?.total}
        totalCapped={grants.data?.totalCapped}
      />
      <form onSubmit={submit} noValidate>
        <Group align="flex-start" wrap="wrap">
          <NativeSelect
            label="Grant"
            data={[
              { value: "repository", label: "Admin of a repository" },
              { value: "namespace", label: "Owner of a namespace" },
            ]}
            value={kind}
            onChange={(e) => setKind(e.currentTarget.value as "repository" | "namespace")}
          />
          <TextInput
            label={kind === "repository" ? "Repository" : "Namespace"}
            placeholder={kind === "repository" ? "acme/web" : "acme"}
            value={target}
            onChange={(e) => setTarget(e.currentTarget.value)}
            error={fieldErrors[kind] ?? fieldErrors.role}
          />
          <Button type="submit" mt={25} loading={add.isPending}>
            Add grant
          </Button>
        </Group>
        <ErrorAlert error={general} title="The grant was not added" />
      </form>
    </Paper>
  );
}

function Tokens({ userId }: { userId: string }) {
  const pages = useCursorPages();
  const tokens = useTokens(userId, pages.cursor);
  const create = useCreateToken(userId);
  const revoke = useRevokeToken(userId);
  const [shown, setShown] = useState<string | null>(null);
  const items = tokens.data?.items ?? [];
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="tokens-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="tokens-title">
          API tokens
        </Title>
        <Button
          variant="default"
          loading={create.isPending}
          onClick={() => create.mutate(undefined, { onSuccess: (t) => setShown(t.token) })}
        >
          Create token
        </Button>
      </Group>
      <ErrorAlert error={tokens.error ?? create.error} />
      {tokens.isPending ? (
        <Loading label="Loading tokens" />
      ) : items.length === 0 && pages.page === 1 ? (
        <Text c="dimmed">No tokens: this user cannot sign in. Create one.</Text>
      ) : (
        <Table.ScrollContainer minWidth={480}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Token</Table.Th>
                <Table.Th scope="col">Created</Table.Th>
                <Table.Th scope="col">Last used</Table.Th>
                <Table.Th scope="col">
                  <VisuallyHidden>Revoke</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td ff="monospace">{t.id}</Table.Td>
                  <Table.Td>
                    <Time value={t.createdAt} />
                  </Table.Td>
                  <Table.Td>{t.lastUsedAt ? <Time value={t.lastUsedAt} /> : "Never"}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      color="red"
                      variant="light"
                      aria-label={`Revoke token ${t.id}`}
                      onClick={() =>
                        revoke.mutate(t.id, {
                          onError: (e) =>
                            notifications.show({ color: "red", title: "Not revoked", message: errorMessage(e) }),
                        })
                      }
                    >
                      Revoke
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <CursorPager
        pages={pages}
        nextCursor={tokens.data?.nextCursor}
        label="Pages of tokens"
        shown={items.length}
        total={tokens.data?.total}
        totalCapped={tokens.data?.totalCapped}
      />
      <SecretOnce title="New API token" value={shown} onClose={() => setShown(null)}>
        Shown only now: give it to the user. It works until revoked here.
      </SecretOnce>
    </Paper>
  );
}
