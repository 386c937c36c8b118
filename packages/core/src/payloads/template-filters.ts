import type { Liquid } from "liquidjs";
import type { EventType } from "../event-types.js";

/*
 * Filters Hookyard adds to Liquid's own (docs/event-payloads.md lists them), for its chat formats
 * and for anyone's template: values from a registry (an actor, a tag) must reach a chat as text,
 * never as markup. Each takes any value (null is ""), and returns a string.
 */

/** Each event type in words, as a chat message's headline. */
export const EVENT_TITLES: Record<EventType, string> = {
  TAG_PUSH: "Tag pushed",
  TAG_PULL: "Tag pulled",
  TAG_DELETE: "Tag deleted",
  MANIFEST_PUSH: "Manifest pushed",
  MANIFEST_PULL: "Manifest pulled",
  MANIFEST_DELETE: "Manifest deleted",
  SCAN_COMPLETED: "Scan completed",
  SCAN_FAILED: "Scan failed",
  PROMOTION: "Image promoted",
  PUSH_MIRRORING: "Image mirrored to a remote registry",
  POLL_MIRRORING: "Image mirrored from a remote registry",
  REPO_CREATED: "Repository created",
  REPO_UPDATED: "Repository updated",
  REPO_DELETED: "Repository deleted",
  SCANNER_UPDATE_COMPLETED: "Vulnerability database updated",
  WEBHOOK_DISABLED: "Webhook disabled",
  WEBHOOK_ENABLED: "Webhook enabled",
  DELIVERY_EXHAUSTED: "Deliveries failed for good",
  CHAIN_RUN_ENDED: "Chain run ended",
};

function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : String(value);
}

/** Slack's three control characters as entities ("Formatting text for app surfaces": escaping). */
export function slackEscape(value: unknown): string {
  return text(value).replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

/** A backtick inside a code span would end it: U+02CB (modifier grave accent) looks the same and does not. */
function codeSpan(value: unknown): string {
  return `\`${text(value).replace(/`/g, "\u02cb")}\``;
}

/** A value as inline code in Slack mrkdwn: no formatting applies inside, and `<` cannot start a link or mention. */
export function slackCode(value: unknown): string {
  return text(value) === "" ? "" : slackEscape(codeSpan(value));
}

/** Markdown punctuation escaped with backslashes (Discord, Teams' Adaptive Cards, CommonMark). */
export function markdownEscape(value: unknown): string {
  return text(value).replace(/[\\`*_~|>#[\]<]/g, (c) => `\\${c}`);
}

/** `sha256:b5bb9d8014a0` from a full digest: the algorithm and 12 hex digits, as registries' UIs show it. */
export function shortDigest(value: unknown): string {
  const digest = text(value);
  const colon = digest.indexOf(":");
  return colon < 0 ? digest.slice(0, 12) : digest.slice(0, colon + 13);
}

export function eventTitle(value: unknown): string {
  return EVENT_TITLES[text(value) as EventType] ?? text(value);
}

export function registerChatFilters(engine: Liquid): void {
  engine.registerFilter("slack_escape", slackEscape);
  engine.registerFilter("slack_code", slackCode);
  engine.registerFilter("markdown_escape", markdownEscape);
  engine.registerFilter("code_span", (value: unknown) => (text(value) === "" ? "" : codeSpan(value)));
  engine.registerFilter("short_digest", shortDigest);
  engine.registerFilter("event_title", eventTitle);
}
