/**
 * The shapes of Hookyard's API that the UI reads, named: each is the API's OpenAPI schema, through
 * schema.d.ts, which `pnpm api:types` generates from the document and `pnpm lint` keeps current.
 * A shape is never written here by hand: change the API's schema (apps/api/src/openapi/) instead.
 */

import type { components } from "./schema";

type Schemas = components["schemas"];

export type Me = Schemas["Me"];
export type Session = Schemas["Session"];
export type RepositorySummary = Schemas["RepositorySummary"];
export type RepositoryList = Schemas["RepositoryList"];

/** A webhook as GET /webhooks/{id} and the writes answer it. */
export type Webhook = Schemas["Webhook"];
/** A webhook in a list: with its newest delivery. */
export type WebhookListItem = Schemas["WebhookListItem"];
export type WebhookList = Schemas["WebhookList"];
export type LastDelivery = NonNullable<WebhookListItem["lastDelivery"]>;
export type TestResult = Schemas["TestResult"];
export type RotatedSecret = Schemas["RotatedSecret"];
/** What the webhook form sends: a PATCH's fields, and on creation its scope. */
export type WebhookInput = Schemas["UpdateWebhookRequest"] &
  Pick<Schemas["CreateWebhookRequest"], "repository" | "namespace">;
export type Recovered = Schemas["Recovery"];
/** What POST /webhooks/preview takes and answers: a format rendered for an event, nothing sent. */
export type PreviewRequest = Schemas["PreviewWebhookRequest"];
export type WebhookPreview = Schemas["WebhookPreview"];

export type DeliveryStatus = Schemas["DeliverySummary"]["status"];
export type DeliverySummary = Schemas["DeliverySummary"];
export type DeliveryPage = Schemas["DeliveryPage"];
export type Attempt = Schemas["Attempt"];
export type Callback = Schemas["DeliveryCallback"];
export type Delivery = Schemas["Delivery"];

export type Chain = Schemas["Chain"];
export type ChainList = Schemas["ChainList"];
/** What the chain form sends: a PATCH's fields, and on creation the repository. */
export type ChainInput = Partial<Schemas["CreateChainRequest"]>;
export type ChainStep = Chain["steps"][number];
export type ChainRun = Schemas["ChainRun"];
export type ChainRunPage = Schemas["ChainRunPage"];
export type RunState = ChainRun["state"];
export type RunStep = ChainRun["steps"][number];

export type User = Schemas["User"];
export type UserList = Schemas["UserList"];
export type CreatedUser = Schemas["CreatedUser"];
export type Grant = Schemas["Grant"];
export type GrantList = Schemas["GrantList"];
export type ApiToken = Schemas["TokenSummary"];
export type TokenList = Schemas["TokenList"];
