import { lazy, Suspense } from "react";
import { Loading } from "../components/Loading";

// The charts library (@mantine/charts, recharts) is in the Overview page's own chunks, fetched when
// the page is opened: no other page's bundle grows by it (apps/web/README.md has the sizes).
const OverviewPage = lazy(() => import("./OverviewPage").then((m) => ({ default: m.OverviewPage })));

export function LazyOverviewPage() {
  return (
    <Suspense fallback={<Loading label="Loading the overview" />}>
      <OverviewPage />
    </Suspense>
  );
}
