import { Anchor, Breadcrumbs, Tabs } from "@mantine/core";
import { Link, useParams, useSearchParams } from "react-router";
import { mayAdminister, useUser } from "../api/session";
import { NotFound } from "../components/NotFound";
import { PageHeader } from "../components/PageHeader";
import { WebhooksSection } from "../components/WebhooksSection";
import { ChainsTab } from "./ChainsTab";

/** A loop rather than `/\/+$/`, which retries from every slash of a long run that does not end the path. */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path[end - 1] === "/") end--;
  return path.slice(0, end);
}

export function RepositoryPage() {
  const user = useUser();
  // Repository names may have several path components (acme/team/web): the route takes the rest of the path.
  const repository = withoutTrailingSlashes(useParams()["*"] ?? "");
  const [search, setSearch] = useSearchParams();
  const tab = search.get("tab") === "chains" ? "chains" : "webhooks";

  if (!repository.includes("/") || !mayAdminister(user, repository)) {
    return (
      <NotFound
        what="such repository"
        explanation={`You manage no repository named ${repository || "like that"}: it does not exist, or an admin has not granted it to you.`}
      />
    );
  }

  return (
    <>
      <PageHeader
        title={repository}
        above={
          <Breadcrumbs>
            <Anchor component={Link} to="/repositories">
              Repositories
            </Anchor>
            <span>{repository}</span>
          </Breadcrumbs>
        }
      />
      <Tabs
        value={tab}
        onChange={(value) => setSearch(value === "chains" ? { tab: "chains" } : {}, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="webhooks">Webhooks</Tabs.Tab>
          <Tabs.Tab value="chains">Chains</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="webhooks">
          <WebhooksSection scope={{ kind: "repository", repository }} />
        </Tabs.Panel>
        <Tabs.Panel value="chains">
          <ChainsTab repository={repository} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
