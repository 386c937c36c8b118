-- Fan-out matching (docs/decisions/0006): one index on (repository, namespace) serves the three
-- scopes of the match rule, repository equal, (NULL, namespace) and (NULL, NULL), where the index
-- on repository alone made every match read all webhooks without a repository, twice. It takes the
-- place of that index, whose lookups it serves as well.

-- DropIndex
DROP INDEX "webhooks_repository_idx";

-- CreateIndex
CREATE INDEX "webhooks_repository_namespace_idx" ON "webhooks"("repository", "namespace");
