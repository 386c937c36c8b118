import { Navigate, Route, Routes } from "react-router";
import { Layout } from "./components/Layout";
import { NotFound } from "./components/NotFound";
import { RequireSession } from "./components/RequireSession";
import { ChainPage } from "./pages/ChainPage";
import { ChainRunPage } from "./pages/ChainRunPage";
import { DeliveryPage } from "./pages/DeliveryPage";
import { HistoryPage } from "./pages/HistoryPage";
import { LazyOverviewPage } from "./pages/LazyOverviewPage";
import { RepositoriesPage } from "./pages/RepositoriesPage";
import { RepositoryPage } from "./pages/RepositoryPage";
import { ScopedWebhooksPage } from "./pages/ScopedWebhooksPage";
import { SignInPage } from "./pages/SignInPage";
import { UserPage } from "./pages/UserPage";
import { UsersPage } from "./pages/UsersPage";
import { WebhookPage } from "./pages/WebhookPage";

export function App() {
  return (
    <Routes>
      <Route path="/signin" element={<SignInPage />} />
      <Route element={<RequireSession />}>
        <Route element={<Layout />}>
          <Route index element={<Navigate to="/repositories" replace />} />
          <Route path="/repositories" element={<RepositoriesPage />} />
          <Route path="/repositories/*" element={<RepositoryPage />} />
          <Route path="/webhooks/:id" element={<WebhookPage />} />
          <Route path="/webhooks/:id/history" element={<HistoryPage />} />
          <Route path="/deliveries/:id" element={<DeliveryPage />} />
          <Route path="/chains/:id" element={<ChainPage />} />
          <Route path="/chain-runs/:id" element={<ChainRunPage />} />
          <Route path="/scoped-webhooks" element={<ScopedWebhooksPage />} />
          <Route path="/users" element={<UsersPage />} />
          <Route path="/users/:id" element={<UserPage />} />
          <Route path="/overview" element={<LazyOverviewPage />} />
          <Route path="*" element={<NotFound what="page" explanation="This address leads nowhere in Hookyard." />} />
        </Route>
      </Route>
    </Routes>
  );
}
