import type { RegistryEvent } from "../registry-event.js";
import { splitRepositoryName } from "../repository-name.js";

/**
 * Docker Hub's webhook body (docs.docker.com "Webhooks", Example webhook payload). Every field of
 * Docker Hub's example is present so that receivers written for Hub find what they read; what a
 * registry event does not tell Hookyard gets an empty value of the field's type:
 * `comment_count`, `star_count` and `date_created` 0, `description`, `dockerfile`,
 * `full_description` and `repo_url` "" (Hookyard has no repository pages to link to), `is_official`,
 * `is_private` and `is_trusted` false, `status` "Active".
 */
export interface DockerHubPayload {
  callback_url: string;
  push_data: {
    /** Epoch seconds of the push. */
    pushed_at: number;
    pusher: string;
    tag: string;
  };
  repository: {
    comment_count: number;
    date_created: number;
    description: string;
    dockerfile: string;
    full_description: string;
    is_official: boolean;
    is_private: boolean;
    is_trusted: boolean;
    name: string;
    namespace: string;
    owner: string;
    repo_name: string;
    repo_url: string;
    star_count: number;
    status: string;
  };
}

/** "acme/web" as Hub names it; a name without a namespace keeps its whole text as the name. */
function names(event: RegistryEvent): { namespace: string; name: string; full: string } {
  const full = event.repository ?? "";
  const split = full.includes("/") ? splitRepositoryName(full) : { namespace: "", name: full };
  return { namespace: event.namespace ?? split.namespace, name: split.name, full };
}

/**
 * The body of a TAG_PUSH in Docker Hub's format. `callbackUrl` is the delivery's own callback_url
 * (made and stored before the request goes out; the renderer only writes it down).
 */
export function renderDockerHub(event: RegistryEvent, callbackUrl: string): DockerHubPayload {
  const { namespace, name, full } = names(event);
  return {
    callback_url: callbackUrl,
    push_data: {
      pushed_at: Math.floor(Date.parse(event.occurredAt) / 1000),
      pusher: event.actor ?? "",
      tag: event.tag ?? "",
    },
    repository: {
      comment_count: 0,
      date_created: 0,
      description: "",
      dockerfile: "",
      full_description: "",
      is_official: false,
      is_private: false,
      is_trusted: false,
      name,
      namespace,
      // On Hub the owner of a repository is its namespace's user or organization.
      owner: namespace,
      repo_name: full,
      repo_url: "",
      star_count: 0,
      status: "Active",
    },
  };
}
