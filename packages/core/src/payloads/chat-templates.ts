/*
 * Hookyard's own Liquid templates for the chat formats (docs/event-payloads.md, "Chat formats"),
 * rendered by the same engine as a webhook's template. Core does no I/O, so they are strings made
 * here rather than .liquid files. Each value goes through the chat's escape filter (text, not
 * markup) and each JSON string through `json` (a quote or a backslash cannot break the body).
 * Values are truncated before they are escaped, so every field stays within the service's limits.
 */

/** One line of a chat message: a label, a Liquid expression, and when it applies (besides being non-blank). */
interface Fact {
  label: string;
  value: string;
  when?: string;
}

const is = (...types: string[]) => types.map((type) => `event.type == "${type}"`).join(" or ");

/** What a reader wants to see of an event, in order; a fact with a blank value is left out. */
const FACTS: Fact[] = [
  { label: "Repository", value: "event.repository" },
  { label: "Namespace", value: "event.namespace", when: "event.repository == blank" },
  { label: "Tag", value: "event.tag" },
  { label: "Digest", value: "short_digest" },
  { label: "Actor", value: "event.actor" },
  { label: "Critical", value: "event.contents.scanSummary.critical", when: is("SCAN_COMPLETED") },
  { label: "Major", value: "event.contents.scanSummary.major", when: is("SCAN_COMPLETED") },
  { label: "Minor", value: "event.contents.scanSummary.minor", when: is("SCAN_COMPLETED") },
  { label: "Error", value: "event.contents.error", when: is("SCAN_FAILED") },
  { label: "Promoted to", value: "event.contents.target.imageName", when: is("PROMOTION") },
  { label: "Remote registry", value: "event.contents.remote.host", when: is("PUSH_MIRRORING", "POLL_MIRRORING") },
  {
    label: "Remote repository",
    value: "event.contents.remote.repository",
    when: is("PUSH_MIRRORING", "POLL_MIRRORING"),
  },
  { label: "Scanner version", value: "event.contents.scanner_version", when: is("SCANNER_UPDATE_COMPLETED") },
  { label: "Database version", value: "event.contents.db_version", when: is("SCANNER_UPDATE_COMPLETED") },
  {
    label: "Webhook",
    value: "event.contents.webhook.name",
    when: is("WEBHOOK_DISABLED", "WEBHOOK_ENABLED", "DELIVERY_EXHAUSTED", "CHAIN_RUN_ENDED"),
  },
  { label: "Reason", value: "event.contents.reason", when: is("WEBHOOK_DISABLED", "WEBHOOK_ENABLED") },
  { label: "Failed deliveries", value: "event.contents.failedDeliveries", when: is("DELIVERY_EXHAUSTED") },
  { label: "Last status", value: "event.contents.lastStatusCode", when: is("DELIVERY_EXHAUSTED") },
  { label: "Chain", value: "event.contents.chain.name", when: is("CHAIN_RUN_ENDED") },
  { label: "Run", value: "event.contents.run.state", when: is("CHAIN_RUN_ENDED") },
  { label: "Reason", value: "event.contents.run.reason", when: is("CHAIN_RUN_ENDED") },
  { label: "Time", value: "event.time" },
];

// The digest is shown short; assigned once so that a fact's value is a plain variable.
const PRELUDE = "{%- assign short_digest = event.digest | short_digest -%}{%- capture nl %}\n{% endcapture -%}";

/** `{% if ... %}body{% endif %}` for a fact: its own condition, and a value that is not blank. */
function ifFact(fact: Fact, body: string): string {
  const condition = fact.when ? `${fact.when} and ${fact.value} != blank` : `${fact.value} != blank`;
  // Liquid has no parentheses in conditions: a `when` of several types is split into one if each.
  if (fact.when?.includes(" or ")) {
    return fact.when
      .split(" or ")
      .map((one) => `{%- if ${one} and ${fact.value} != blank -%}${body}{%- endif -%}`)
      .join("");
  }
  return `{%- if ${condition} -%}${body}{%- endif -%}`;
}

/** The headline: the type in words, then where (repository:tag, or namespace). */
function headline(escapeFilter: string, max: number): string {
  return (
    "{{ event.type | event_title }}" +
    `{%- if event.repository != blank %} in {{ event.repository | truncate: ${max} | ${escapeFilter} }}` +
    `{%- if event.tag != blank %}:{{ event.tag | truncate: ${max} | ${escapeFilter} }}{% endif -%}` +
    `{%- elsif event.namespace != blank %} in {{ event.namespace | truncate: ${max} | ${escapeFilter} }}{% endif -%}`
  );
}

/**
 * Slack incoming webhook ("Sending messages using incoming webhooks"): `text` (the notification's
 * plain fallback) and `blocks`: a section of mrkdwn (values as inline code, entities escaped) and a
 * context line. Section text is at most 3,000 characters: values are cut at 300.
 */
export const SLACK_TEMPLATE = [
  PRELUDE,
  `{%- capture text %}${headline("slack_escape", 300)}{% endcapture -%}`,
  "{%- capture section %}*{{ event.type | event_title }}*",
  ...FACTS.map((fact) => ifFact(fact, `{{ nl }}*${fact.label}:* {{ ${fact.value} | truncate: 300 | slack_code }}`)),
  "{% endcapture -%}",
  "{%- capture context %}Hookyard · {{ event.type }} · event {{ event.id | slack_escape }}{% endcapture -%}",
  '{"text":{{ text | json }},"blocks":[',
  '{"type":"section","text":{"type":"mrkdwn","text":{{ section | json }}}},',
  '{"type":"context","elements":[{"type":"mrkdwn","text":{{ context | json }}}]}',
  "]}",
].join("");

/**
 * Microsoft Teams, a Workflows webhook ("Create incoming webhooks with Workflows for Microsoft
 * Teams"): a message with one Adaptive Card 1.4 attachment: a title, a FactSet, a subtle footer.
 */
export const TEAMS_TEMPLATE = [
  PRELUDE,
  `{%- capture title %}${headline("markdown_escape", 200)}{% endcapture -%}`,
  '{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,',
  '"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","type":"AdaptiveCard","version":"1.4",',
  '"body":[{"type":"TextBlock","size":"Medium","weight":"Bolder","wrap":true,"text":{{ title | json }}},',
  '{"type":"FactSet","facts":[{"title":"Event","value":{{ event.type | json }}}',
  ...FACTS.map((fact) =>
    ifFact(fact, `,{"title":"${fact.label}","value":{{ ${fact.value} | truncate: 500 | markdown_escape | json }}}`),
  ),
  "]},",
  '{"type":"TextBlock","isSubtle":true,"size":"Small","wrap":true,"text":{{ "Hookyard event " | append: event.id | markdown_escape | json }}}',
  "]}}]}",
].join("");

/**
 * Discord ("Execute Webhook"): `content` and one embed. Discord's limits: content 2,000 characters,
 * embed title 256, description 4,096, field name 256 and value 1,024, 25 fields; values are cut at
 * 100 (title) and 500 (fields) before escaping, which at most doubles them. No mention is parsed
 * (`allowed_mentions`), so an actor named "@everyone" pings nobody.
 */
export const DISCORD_TEMPLATE = [
  PRELUDE,
  `{%- capture content %}**${headline("markdown_escape", 100)}**{% endcapture -%}`,
  `{%- capture title %}{{ event.type | event_title }}{% endcapture -%}`,
  "{%- capture description %}",
  "{%- if event.repository != blank %}{{ event.repository | truncate: 500 | markdown_escape }}",
  "{%- if event.tag != blank %}:{{ event.tag | truncate: 500 | markdown_escape }}{% endif -%}",
  "{%- elsif event.namespace != blank %}{{ event.namespace | truncate: 500 | markdown_escape }}",
  // Discord refuses an empty description: a global event's is its title.
  "{%- else %}{{ event.type | event_title }}{% endif -%}",
  "{% endcapture -%}",
  '{"content":{{ content | json }},"allowed_mentions":{"parse":[]},"embeds":[{"title":{{ title | json }},',
  '"description":{{ description | json }},"timestamp":{{ event.time | json }},"color":3447003,',
  '"footer":{"text":{{ "Hookyard event " | append: event.id | truncate: 500 | json }}},',
  '"fields":[{"name":"Event","value":{{ event.type | json }},"inline":true}',
  ...FACTS.map((fact) =>
    ifFact(
      fact,
      `,{"name":"${fact.label}","value":{{ ${fact.value} | truncate: 500 | markdown_escape | json }},"inline":true}`,
    ),
  ),
  "]}]}",
].join("");

/**
 * Google Chat incoming webhook ("Send messages to Google Chat with incoming webhooks"): a text
 * message, `{ text }` (text messages take up to 4,096 characters; values are cut at 300): bold
 * headline, one line per fact, values as inline code so no formatting or link applies to them.
 */
export const GOOGLECHAT_TEMPLATE = [
  PRELUDE,
  `{%- capture text %}*{{ event.type | event_title }}*`,
  ...FACTS.map((fact) => ifFact(fact, `{{ nl }}${fact.label}: {{ ${fact.value} | truncate: 300 | code_span }}`)),
  "{% endcapture -%}",
  '{"text":{{ text | json }}}',
].join("");

export const CHAT_TEMPLATES = {
  slack: SLACK_TEMPLATE,
  teams: TEAMS_TEMPLATE,
  discord: DISCORD_TEMPLATE,
  googlechat: GOOGLECHAT_TEMPLATE,
} as const;

export type ChatFormat = keyof typeof CHAT_TEMPLATES;
