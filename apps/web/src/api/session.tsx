import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, onSessionLost, request, setCsrfToken } from "./client";
import type { Me, Session } from "./types";

export const SESSION_KEY = ["session"] as const;

/** What the user may administer, as one string: when it changes, what the pages show may change too. */
const permissionsOf = (session: Session | null): string =>
  session
    ? JSON.stringify([session.user.id, session.user.admin, session.user.repositories, session.user.namespaces])
    : "";

// setTimeout takes at most 2^31-1 ms; a longer session is checked again when that fires.
const MAX_TIMER_MS = 2_147_483_647;

const EXPIRED = "Your session has expired. Sign in again.";

interface SessionContextValue {
  user: Me | null;
  loading: boolean;
  /** Why the user is on the sign-in page, when it was not their choice or should be confirmed. */
  notice: string | null;
  signIn(token: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const session = useQuery({
    queryKey: SESSION_KEY,
    queryFn: async (): Promise<Session | null> => {
      try {
        return await request<Session>("GET", "/session", undefined, { quietUnauthorized: true });
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 401)) throw error;
        // Signed in a moment ago, and now not: the session ended behind the page's back.
        if (client.getQueryData(SESSION_KEY)) setNotice(EXPIRED);
        return null;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
  const data = session.data ?? null;

  useEffect(() => setCsrfToken(data?.csrfToken ?? null), [data?.csrfToken]);

  // A grant given or taken since the last look: lists and pages read with the old permissions
  // (the repositories listed, a 404 met) are read again.
  const permissions = permissionsOf(data);
  const seen = useRef(permissions);
  useEffect(() => {
    if (seen.current === permissions) return;
    const had = seen.current;
    seen.current = permissions;
    if (had !== "" && permissions !== "") {
      void client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    }
  }, [permissions, client]);

  const endLocally = useCallback(
    (message: string) => {
      setCsrfToken(null);
      // Whatever another user might see next must not come from this one's cache.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
      client.setQueryData(SESSION_KEY, null);
      setNotice(message);
    },
    [client],
  );

  useEffect(() => {
    onSessionLost(() => {
      if (client.getQueryData(SESSION_KEY)) endLocally(EXPIRED);
    });
    return () => onSessionLost(null);
  }, [client, endLocally]);

  useEffect(() => {
    if (!data) return;
    const left = new Date(data.expiresAt).getTime() - Date.now();
    const timer = setTimeout(
      () => {
        if (left <= MAX_TIMER_MS) endLocally(EXPIRED);
        else void client.invalidateQueries({ queryKey: SESSION_KEY });
      },
      Math.max(0, Math.min(left, MAX_TIMER_MS)),
    );
    return () => clearTimeout(timer);
  }, [data, client, endLocally]);

  const signIn = useCallback(
    async (token: string) => {
      const fresh = await request<Session>("POST", "/session", { token }, { quietUnauthorized: true });
      setCsrfToken(fresh.csrfToken);
      setNotice(null);
      // Nothing cached for whoever used this tab before may show through.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
      client.setQueryData(SESSION_KEY, fresh);
    },
    [client],
  );

  const signOut = useCallback(async () => {
    try {
      await request<void>("DELETE", "/session", undefined, { quietUnauthorized: true });
    } catch (error) {
      // Already gone on the server: signing out locally is all that is left to do.
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
    endLocally("You have signed out.");
  }, [endLocally]);

  const value = useMemo(
    () => ({ user: data?.user ?? null, loading: session.isPending, notice, signIn, signOut }),
    [data, session.isPending, notice, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

/** The signed-in user; only for pages under RequireSession. */
export function useUser(): Me {
  const { user } = useSession();
  if (!user) throw new Error("useUser without a session");
  return user;
}

/** Whether the user may manage the webhooks of a repository (docs/api.md, Event types). */
export function mayAdminister(user: Me, repository: string): boolean {
  const namespace = repository.split("/")[0] ?? "";
  return user.admin || user.repositories.includes(repository) || user.namespaces.includes(namespace);
}
