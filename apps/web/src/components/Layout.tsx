import { Anchor, AppShell, Burger, Button, Group, NavLink, Text, VisuallyHidden } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Link, Outlet, useLocation } from "react-router";
import { SESSION_KEY, useSession, useUser } from "../api/session";
import { errorMessage } from "./ErrorAlert";

export function Layout() {
  const user = useUser();
  const { signOut } = useSession();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  // On a phone the navigation covers the page: a choice made in it closes it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every navigation on purpose
  useEffect(() => close(), [location.pathname, close]);
  // Grants given or taken while signed in: the session says what the user may administer, and each
  // navigation (a click on a link, the same one too) asks it again, so a new grant works at once.
  const client = useQueryClient();
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every navigation on purpose
  useEffect(() => {
    void client.invalidateQueries({ queryKey: SESSION_KEY });
  }, [location.key, client]);

  const scoped = user.admin || user.namespaces.length > 0;
  const links = [
    { to: "/repositories", label: "Repositories", show: true },
    { to: "/scoped-webhooks", label: "Namespace & global webhooks", show: scoped },
    { to: "/users", label: "Users", show: user.admin },
    { to: "/overview", label: "Overview", show: user.admin },
  ];

  const onSignOut = async () => {
    try {
      await signOut();
    } catch (error) {
      notifications.show({ color: "red", title: "Sign-out failed", message: errorMessage(error) });
    }
  };

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Anchor href="#main" className="skip-link">
          Skip to content
        </Anchor>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="xs">
          <Group gap="xs" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
              aria-expanded={opened}
            />
            <Anchor component={Link} to="/repositories" fw={700} fz="lg" c="inherit" underline="never">
              Hookyard
            </Anchor>
          </Group>
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <Text size="sm" truncate="end" maw={{ base: 110, sm: 260 }} title={user.name}>
              <VisuallyHidden>Signed in as </VisuallyHidden>
              {user.name}
            </Text>
            <Button variant="default" size="xs" onClick={onSignOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {links
          .filter((l) => l.show)
          .map((l) => (
            <NavLink
              key={l.to}
              component={Link}
              to={l.to}
              label={l.label}
              active={location.pathname === l.to || location.pathname.startsWith(`${l.to}/`)}
              aria-current={location.pathname === l.to ? "page" : undefined}
            />
          ))}
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
