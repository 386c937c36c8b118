import { Navigate, Outlet, useLocation } from "react-router";
import { useSession } from "../api/session";
import { Loading } from "./Loading";

/** Pages behind sign-in: anyone without a session goes to it, and comes back here afterwards. */
export function RequireSession() {
  const { user, loading } = useSession();
  const location = useLocation();
  if (loading) return <Loading label="Checking your session" />;
  if (!user) return <Navigate to="/signin" replace state={{ from: `${location.pathname}${location.search}` }} />;
  return <Outlet />;
}
