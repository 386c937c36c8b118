import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { type FormEvent, useEffect, useState } from "react";
import { Navigate, useLocation } from "react-router";
import { ApiError } from "../api/client";
import { useSession } from "../api/session";
import { errorMessage } from "../components/ErrorAlert";

export function SignInPage() {
  const { user, notice, signIn } = useSession();
  const location = useLocation();
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    document.title = "Sign in · Hookyard";
  }, []);

  const from = (location.state as { from?: string } | null)?.from;
  if (user) return <Navigate to={from && from !== "/signin" ? from : "/repositories"} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!token.trim()) {
      setError("Enter your API token.");
      return;
    }
    setPending(true);
    setError(null);
    try {
      await signIn(token.trim());
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 401
          ? "This token is not valid: check it, or ask an admin for a new one."
          : errorMessage(failure),
      );
    } finally {
      setPending(false);
    }
  };

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <form onSubmit={submit} noValidate>
          <Stack>
            <div>
              <Title order={1} size="h2">
                Sign in to Hookyard
              </Title>
              <Text c="dimmed" size="sm" mt={4}>
                Webhooks for your container registry. Use the API token an admin gave you; it is exchanged for a session
                and not kept in this browser.
              </Text>
            </div>
            {notice && (
              <Alert color={notice.includes("expired") ? "orange" : "blue"} role="status" variant="light">
                {notice}
              </Alert>
            )}
            <PasswordInput
              label="API token"
              value={token}
              onChange={(e) => setToken(e.currentTarget.value)}
              error={error}
              autoComplete="current-password"
              autoFocus
              required
            />
            <Button type="submit" loading={pending} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
