import { Anchor, Badge, Button, Checkbox, Group, Paper, Stack, Table, TextInput, Title } from "@mantine/core";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { useUser } from "../api/session";
import { useCreateUser, useUsers } from "../api/users";
import { CursorPager, useCursorPages } from "../components/CursorPager";
import { ErrorAlert } from "../components/ErrorAlert";
import { Loading } from "../components/Loading";
import { NotFound } from "../components/NotFound";
import { PageHeader } from "../components/PageHeader";
import { SecretOnce } from "../components/SecretOnce";
import { Time } from "../components/Time";
import { focusFirstError, splitError } from "../lib/field-errors";

export function UsersPage() {
  const me = useUser();
  const pages = useCursorPages();
  const users = useUsers(pages.cursor);
  if (!me.admin) return <NotFound what="users page" explanation="Only global admins manage users." />;
  const items = users.data?.items ?? [];
  return (
    <>
      <PageHeader title="Users" description="People and scripts with API tokens, and what each may administer." />
      <Stack>
        <CreateUserForm />
        <ErrorAlert error={users.error} title="The users could not be loaded" />
        {users.isPending ? (
          <Loading label="Loading users" />
        ) : (
          <Table.ScrollContainer minWidth={480}>
            <Table verticalSpacing="sm" highlightOnHover>
              <Table.Caption>
                {pages.page === 1 && !users.data?.nextCursor ? `${items.length} users` : "Users"}
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Role</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((u) => (
                  <Table.Tr key={u.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/users/${encodeURIComponent(u.id)}`}>
                        {u.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      {u.admin ? (
                        <Badge color="blue" variant="light" tt="none">
                          global admin
                        </Badge>
                      ) : (
                        "user"
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Time value={u.createdAt} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <CursorPager
          pages={pages}
          nextCursor={users.data?.nextCursor}
          label="Pages of users"
          shown={items.length}
          total={users.data?.total}
          totalCapped={users.data?.totalCapped}
        />
      </Stack>
    </>
  );
}

function CreateUserForm() {
  const create = useCreateUser();
  const [name, setName] = useState("");
  const [admin, setAdmin] = useState(false);
  const [token, setToken] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  // Cleared when the name is edited: an error stays only while it is true of what is typed.
  const [edited, setEdited] = useState(false);
  const split = splitError(create.error, ["name", "admin"], {}, { name: "User name", admin: "Global admin" });
  const fieldErrors = edited ? {} : split.fieldErrors;
  const { general } = split;
  // A duplicate name (409) or a refused one (400) is shown at the field: focus goes there.
  useEffect(() => {
    if (create.error) focusFirstError(formRef.current);
  }, [create.error]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setEdited(false);
    create.mutate(
      { name: name.trim(), admin },
      {
        onSuccess: (user) => {
          setToken(user.token);
          setName("");
          setAdmin(false);
        },
      },
    );
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="create-user-title">
      <form ref={formRef} onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Title order={2} size="h4" id="create-user-title">
            Create user
          </Title>
          <Group align="flex-start" wrap="wrap">
            <TextInput
              label="User name"
              description="1 to 100 of A-Z a-z 0-9 . _ -"
              value={name}
              onChange={(e) => {
                setName(e.currentTarget.value);
                setEdited(true);
              }}
              error={fieldErrors.name}
              required
              w={260}
            />
            <Checkbox
              mt={34}
              label="Global admin"
              checked={admin}
              onChange={(e) => setAdmin(e.currentTarget.checked)}
              error={fieldErrors.admin}
            />
          </Group>
          <ErrorAlert error={general} title="The user was not created" />
          <Group>
            <Button type="submit" loading={create.isPending}>
              Create user
            </Button>
          </Group>
        </Stack>
      </form>
      <SecretOnce title="The new user's API token" value={token} onClose={() => setToken(null)}>
        Shown only now: give it to the user, who signs in with it. Add grants on the user's page.
      </SecretOnce>
    </Paper>
  );
}
