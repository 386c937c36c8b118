import pg from "pg";

/*
 * What must always hold in Hookyard's tables (docs/invariants.md), as SQL: each query returns one
 * row per violation, with a readable `detail` naming the offending ids. The integration tests run
 * every check on each test database before it is dropped (tests/support/invariants-setup.ts), so a
 * test that leaves a lie in Postgres fails even when what it asserted was green.
 *
 * Some checks allow a little time (SLACK): a delete, a send and its booking race within a request,
 * and Postgres's now() is when a statement started, not when it committed. What lies past it is a
 * bug, not a race.
 */

const SLACK = "interval '1 second'";

export interface Invariant {
  name: string;
  /** What must hold, in one line (docs/invariants.md says the same). */
  holds: string;
  sql: string;
}

export const INVARIANTS = [
  {
    name: "test-event-one-webhook",
    holds: "a test event has exactly one delivery, a test one, to the webhook it was made for",
    sql: `
      SELECT 'test event ' || e.id || ' has deliveries ' || string_agg(d.id || ' to ' || d.webhook_id ||
             CASE WHEN d.test THEN ' (test)' ELSE ' (not a test)' END, ', ' ORDER BY d.id) AS detail
      FROM events e JOIN deliveries d ON d.event_id = e.id
      WHERE e.source = 'test'
      GROUP BY e.id HAVING count(*) > 1 OR bool_or(NOT d.test)
      UNION ALL
      SELECT 'test delivery ' || d.id || ' carries event ' || e.id || ' of source ' || e.source
      FROM deliveries d JOIN events e ON e.id = d.event_id
      WHERE d.test AND e.source <> 'test'`,
  },
  {
    name: "test-sent-once",
    holds: "a test delivery is sent at most once and never starts a second series",
    sql: `
      SELECT 'test delivery ' || id || ' has attempt_count ' || attempt_count || ', series_start ' || series_start
      FROM deliveries WHERE test AND (attempt_count > 1 OR series_start <> 0)`,
  },
  {
    name: "deleted-webhook-disabled",
    holds: "a deleted webhook is never enabled",
    sql: `
      SELECT 'webhook ' || id || ' is deleted (at ' || deleted_at || ') and enabled' FROM webhooks
      WHERE deleted_at IS NOT NULL AND enabled`,
  },
  {
    name: "deleted-webhook-unchanged",
    holds: "a deleted webhook is never changed: no enable or disable after deletion, no update after it",
    sql: `
      SELECT 'webhook ' || w.id || ' deleted at ' || w.deleted_at || ' reported ' || o.type ||
             ' (outbox row ' || o.id || ') at ' || o.created_at
      FROM webhooks w JOIN operational_events o ON o.webhook_id = w.id
      WHERE w.deleted_at IS NOT NULL AND o.type IN ('WEBHOOK_ENABLED', 'WEBHOOK_DISABLED')
        AND o.created_at > w.deleted_at
      UNION ALL
      SELECT 'webhook ' || id || ' deleted at ' || deleted_at || ' was updated at ' || updated_at FROM webhooks
      WHERE deleted_at IS NOT NULL AND updated_at > deleted_at + ${SLACK}`,
  },
  {
    name: "deleted-webhook-unmatched",
    holds: "a deleted webhook is never matched: no delivery made for it, none sent to it, none left pending",
    sql: `
      SELECT 'delivery ' || d.id || ' of deleted webhook ' || w.id || ' was made at ' || d.created_at ||
             ', after its deletion at ' || w.deleted_at
      FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
      WHERE w.deleted_at IS NOT NULL AND d.created_at > w.deleted_at + ${SLACK}
      UNION ALL
      SELECT 'attempt ' || a.n || ' of delivery ' || d.id || ' was sent to deleted webhook ' || w.id ||
             ' at ' || a.started_at || ', after its deletion at ' || w.deleted_at
      FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN webhooks w ON w.id = d.webhook_id
      WHERE w.deleted_at IS NOT NULL AND a.started_at > w.deleted_at + ${SLACK}
      UNION ALL
      SELECT 'delivery ' || d.id || ' of deleted webhook ' || w.id || ' is still pending'
      FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
      WHERE w.deleted_at IS NOT NULL AND d.status = 'pending'`,
  },
  {
    name: "completed-at-when-final",
    holds: "completed_at is set exactly when a delivery's status is final",
    sql: `
      SELECT 'delivery ' || id || ' is ' || status || ' with completed_at ' || COALESCE(completed_at::text, 'null')
      FROM deliveries WHERE (status = 'pending') <> (completed_at IS NULL)`,
  },
  {
    name: "finished-stays-finished",
    holds:
      "a finished delivery moves only through redeliver or recover: one its deleted webhook canceled stays canceled",
    sql: `
      SELECT 'delivery ' || d.id || ' of webhook ' || w.id || ' (deleted at ' || w.deleted_at || ') ended ' ||
             d.status || ' at ' || d.completed_at || ': it was pending at the deletion, so canceled, and moved since'
      FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
      WHERE w.deleted_at IS NOT NULL AND d.status IN ('succeeded', 'failed')
        AND d.created_at < w.deleted_at AND d.completed_at > w.deleted_at + ${SLACK}`,
  },
  {
    name: "attempts-numbered",
    holds: "a delivery's attempts are numbered 1..n without gaps and attempt_count is their number",
    sql: `
      SELECT 'delivery ' || d.id || ' has attempt_count ' || d.attempt_count || ' but attempts [' ||
             COALESCE((SELECT string_agg(a.n::text, ',' ORDER BY a.n) FROM delivery_attempts a
                       WHERE a.delivery_id = d.id), '') || ']'
      FROM deliveries d
      LEFT JOIN LATERAL (SELECT count(*) AS c, max(n) AS top, min(n) AS bottom
                         FROM delivery_attempts a WHERE a.delivery_id = d.id) x ON TRUE
      WHERE x.c <> d.attempt_count OR (x.c > 0 AND (x.bottom <> 1 OR x.top <> x.c))`,
  },
  {
    name: "series-within-attempts",
    holds: "a series starts within the attempts made (0 <= series_start <= attempt_count)",
    sql: `
      SELECT 'delivery ' || id || ' has series_start ' || series_start || ' of ' || attempt_count || ' attempts'
      FROM deliveries WHERE series_start < 0 OR series_start > attempt_count`,
  },
  {
    name: "trimmed-attempt-bare",
    holds: "an attempt trimmed by body retention keeps no request body, response body or headers",
    sql: `
      SELECT 'attempt ' || id || ' of delivery ' || delivery_id || ' was trimmed at ' || trimmed_at || ' but keeps ' ||
             concat_ws(', ', CASE WHEN request_body IS NOT NULL THEN 'its request body' END,
                       CASE WHEN request_headers <> '{}'::jsonb THEN 'its request headers' END,
                       CASE WHEN response_headers IS NOT NULL THEN 'its response headers' END,
                       CASE WHEN response_body IS NOT NULL THEN 'its response body' END)
      FROM delivery_attempts
      WHERE trimmed_at IS NOT NULL AND (request_body IS NOT NULL OR request_headers <> '{}'::jsonb
        OR response_headers IS NOT NULL OR response_body IS NOT NULL)`,
  },
  {
    name: "status-follows-attempts",
    holds:
      "a succeeded delivery has an attempt of its last series that got a 2xx, and last_status_code is its last attempt's",
    // A late attempt (booked after the delivery finished) is kept in the history without moving the
    // status, so the success need not be the last attempt.
    sql: `
      SELECT 'delivery ' || d.id || ' is succeeded but no attempt after ' || d.series_start || ' got a 2xx'
      FROM deliveries d
      WHERE d.status = 'succeeded'
        AND NOT EXISTS (SELECT 1 FROM delivery_attempts a WHERE a.delivery_id = d.id AND a.n > d.series_start
                          AND a.status_code BETWEEN 200 AND 299)
      UNION ALL
      SELECT 'delivery ' || d.id || ' has last_status_code ' || COALESCE(d.last_status_code::text, 'null') ||
             ' but attempt ' || a.n || ' got ' || COALESCE(a.status_code::text, 'null')
      FROM deliveries d JOIN delivery_attempts a ON a.delivery_id = d.id AND a.n = d.attempt_count
      WHERE d.last_status_code IS DISTINCT FROM a.status_code`,
  },
  {
    name: "delivery-matches-webhook",
    holds:
      "a delivery goes only to a webhook whose scope and event types take its event (or the webhook a test was made for), never to the webhook an operational event is about",
    // The types and tag filter can be changed by PATCH after the delivery was made: they are held to
    // it only when the webhook has not been updated since. A chain step's webhook takes its event as
    // a step of the chain (the chain's types, its repository).
    sql: `
      SELECT 'delivery ' || d.id || ' of event ' || e.id || ' (' || e.type || ' in ' ||
             COALESCE(e.repository, e.namespace, 'no repository') || ') went to webhook ' || w.id ||
             ' of ' || COALESCE(w.repository, 'namespace ' || w.namespace, 'every repository') ||
             ' taking ' || array_to_string(w.events, ',')
      FROM deliveries d JOIN events e ON e.id = d.event_id JOIN webhooks w ON w.id = d.webhook_id
      WHERE NOT d.test
        AND (NOT (w.repository = e.repository
                  OR (w.repository IS NULL AND w.namespace = e.namespace)
                  OR (w.repository IS NULL AND w.namespace IS NULL))
             OR (w.updated_at <= d.created_at AND NOT EXISTS (SELECT 1 FROM chain_steps s WHERE s.delivery_id = d.id)
                 AND NOT (e.type = ANY(w.events)
                          AND (COALESCE(cardinality(w.filter_tags), 0) = 0
                               OR EXISTS (SELECT 1 FROM unnest(w.filter_tags) AS glob
                                          WHERE e.tag LIKE replace(replace(glob, '_', '!_'), '*', '%') ESCAPE '!')))))
      UNION ALL
      SELECT 'delivery ' || d.id || ' sent operational event ' || e.id || ' to its own subject, webhook ' || d.webhook_id
      FROM deliveries d JOIN events e ON e.id = d.event_id WHERE e.subject_webhook_id = d.webhook_id`,
  },
  {
    name: "outbox-row-one-event",
    holds: "one operational-events outbox row is one event, of its type and about its webhook",
    sql: `
      SELECT 'outbox row ' || o.id || ' (' || o.type || ' about ' || o.webhook_id || ') became event ' || e.id ||
             ' (' || e.type || ' about ' || COALESCE(e.subject_webhook_id, 'nothing') || ')'
      FROM operational_events o JOIN events e ON e.dedup_key = 'hookyard:' || o.id
      WHERE e.type <> o.type OR e.subject_webhook_id IS DISTINCT FROM o.webhook_id
      UNION ALL
      SELECT 'event ' || id || ' of source hookyard has dedup key ' || dedup_key || ', no outbox row''s'
      FROM events WHERE source = 'hookyard' AND dedup_key !~ '^hookyard:[0-9]+$'`,
  },
  {
    name: "webhook-flips-reported-once",
    holds:
      "each flip of a webhook's enabled is reported once: its WEBHOOK_ENABLED and WEBHOOK_DISABLED rows alternate and the last one says what it is now",
    sql: `
      WITH flips AS (
        SELECT o.id, o.webhook_id, o.type,
               lag(o.type) OVER (PARTITION BY o.webhook_id ORDER BY o.id) AS before,
               lead(o.id) OVER (PARTITION BY o.webhook_id ORDER BY o.id) AS next
        FROM operational_events o WHERE o.type IN ('WEBHOOK_ENABLED', 'WEBHOOK_DISABLED'))
      SELECT 'webhook ' || f.webhook_id || ' has two ' || f.type || ' in a row (outbox row ' || f.id || ')'
      FROM flips f WHERE f.type = f.before
      UNION ALL
      SELECT 'webhook ' || w.id || ' is ' || CASE WHEN w.enabled THEN 'enabled' ELSE 'disabled' END ||
             ' but its last report (outbox row ' || f.id || ') is ' || f.type
      FROM flips f JOIN webhooks w ON w.id = f.webhook_id
      WHERE f.next IS NULL AND (f.type = 'WEBHOOK_ENABLED') <> w.enabled`,
  },
  {
    name: "webhook-state-consistent",
    holds: "an enabled webhook has no disabled reason; a previous secret has an end, and only then",
    sql: `
      SELECT 'webhook ' || id || ' is enabled with disabled_reason ' || quote_literal(disabled_reason)
      FROM webhooks WHERE enabled AND disabled_reason IS NOT NULL
      UNION ALL
      SELECT 'webhook ' || id || ' has previous_secret ' ||
             CASE WHEN previous_secret IS NULL THEN 'null' ELSE 'set' END || ' and previous_secret_until ' ||
             COALESCE(previous_secret_until::text, 'null')
      FROM webhooks WHERE (previous_secret IS NULL) <> (previous_secret_until IS NULL)`,
  },
  {
    name: "webhook-rate-limit-bounded",
    holds: "a webhook's rate limit is null or 1 to 10000; a 429's hold ends within the hour (decision 0021)",
    sql: `
      SELECT 'webhook ' || id || ' has rate_limit ' || rate_limit
      FROM webhooks WHERE rate_limit IS NOT NULL AND (rate_limit < 1 OR rate_limit > 10000)
      UNION ALL
      SELECT 'webhook ' || id || ' is held until ' || not_before::text || ', more than an hour from now'
      FROM webhooks WHERE not_before > now() + interval '1 hour 1 minute'`,
  },
  {
    name: "webhook-template-format",
    holds: "a webhook has a template and a template content type exactly when its format is template",
    sql: `
      SELECT 'webhook ' || id || ' of format ' || format::text || ' has template ' ||
             CASE WHEN template IS NULL THEN 'null' ELSE 'set' END || ' and template_content_type ' ||
             COALESCE(quote_literal(template_content_type), 'null')
      FROM webhooks
      WHERE (format::text = 'template') <> (template IS NOT NULL)
         OR (template IS NULL) <> (template_content_type IS NULL)`,
  },
  {
    name: "chain-run-ended-when-final",
    holds: "a chain run has ended_at exactly when it is no longer running",
    sql: `
      SELECT 'chain run ' || id || ' is ' || state || ' with ended_at ' || COALESCE(ended_at::text, 'null')
      FROM chain_runs WHERE (state = 'running') <> (ended_at IS NULL)`,
  },
  {
    name: "chain-run-steps",
    holds:
      "a chain run's steps are 1..k, its current step is one of them, every step up to it started, none after it, and a step's delivery is of its webhook and the run's event",
    sql: `
      SELECT 'chain run ' || r.id || ' has steps [' || COALESCE(string_agg(s.position::text, ',' ORDER BY s.position), '') ||
             '] and current step ' || r.current_position
      FROM chain_runs r LEFT JOIN chain_steps s ON s.run_id = r.id
      GROUP BY r.id, r.current_position
      HAVING count(s.id) = 0 OR min(s.position) <> 1 OR max(s.position) <> count(s.id)
          OR r.current_position < 1 OR r.current_position > count(s.id)
      UNION ALL
      SELECT 'chain run ' || r.id || ' at step ' || r.current_position || ' has step ' || s.position ||
             CASE WHEN s.position <= r.current_position THEN ' not started' ELSE ' started already' END
      FROM chain_runs r JOIN chain_steps s ON s.run_id = r.id
      WHERE (s.position <= r.current_position AND s.started_at IS NULL)
         OR (s.position > r.current_position AND (s.started_at IS NOT NULL OR s.delivery_id IS NOT NULL))
      UNION ALL
      SELECT 'chain run ' || r.id || ' step ' || s.position || ' (webhook ' || s.webhook_id || ', event ' ||
             r.event_id || ') has delivery ' || d.id || ' of webhook ' || d.webhook_id || ', event ' || d.event_id
      FROM chain_runs r JOIN chain_steps s ON s.run_id = r.id JOIN deliveries d ON d.id = s.delivery_id
      WHERE d.webhook_id <> s.webhook_id OR d.event_id <> r.event_id`,
  },
  {
    name: "chain-run-completed",
    holds: "a completed chain run is at its last step, whose callback said success",
    sql: `
      SELECT 'chain run ' || r.id || ' is completed at step ' || r.current_position || ' of ' ||
             (SELECT count(*) FROM chain_steps x WHERE x.run_id = r.id) || ', callback ' || COALESCE(c.state::text, 'none')
      FROM chain_runs r
      LEFT JOIN chain_steps s ON s.run_id = r.id AND s.position = r.current_position
      LEFT JOIN callbacks c ON c.delivery_id = s.delivery_id
      WHERE r.state = 'completed'
        AND (r.current_position <> (SELECT count(*) FROM chain_steps x WHERE x.run_id = r.id)
             OR c.state IS DISTINCT FROM 'success')`,
  },
  {
    name: "chain-run-end-reported-once",
    holds: "an interrupted or expired chain run is reported (CHAIN_RUN_ENDED) at most once, a running one never",
    sql: `
      SELECT 'chain run ' || r.id || ' (' || r.state || ') has ' || count(o.id) || ' CHAIN_RUN_ENDED rows: ' ||
             string_agg(o.id::text, ',' ORDER BY o.id)
      FROM chain_runs r JOIN operational_events o ON o.type = 'CHAIN_RUN_ENDED' AND o.contents->'run'->>'id' = r.id
      GROUP BY r.id, r.state
      HAVING count(o.id) > 1 OR r.state IN ('running', 'completed')`,
  },
  {
    name: "callback-state-received",
    holds: "a callback has a state exactly when it was received, and at least one token",
    sql: `
      SELECT 'callback ' || id || ' of delivery ' || delivery_id || ' has state ' || COALESCE(state::text, 'null') ||
             ' and received_at ' || COALESCE(received_at::text, 'null')
      FROM callbacks WHERE (state IS NULL) <> (received_at IS NULL)
      UNION ALL
      SELECT 'callback ' || c.id || ' of delivery ' || c.delivery_id || ' has no token'
      FROM callbacks c WHERE NOT EXISTS (SELECT 1 FROM callback_tokens t WHERE t.callback_id = c.id)`,
  },
  {
    name: "grant-shape",
    holds:
      "a repository grant (admin) names its repository and that repository's namespace; a namespace grant (owner) names a namespace only",
    sql: `
      SELECT 'grant ' || id || ' (' || role || ') has repository ' || COALESCE(repository, 'null') ||
             ', namespace ' || COALESCE(namespace, 'null')
      FROM grants
      WHERE (role = 'admin' AND (repository IS NULL OR namespace IS DISTINCT FROM split_part(repository, '/', 1)))
         OR (role = 'owner' AND (repository IS NOT NULL OR namespace IS NULL))`,
  },
  {
    name: "session-within-token",
    holds: "a session ends after it began",
    sql: `
      SELECT 'session of api token ' || api_token_id || ' expires at ' || expires_at || ', before it was made at ' ||
             created_at
      FROM sessions WHERE expires_at <= created_at`,
  },
] as const satisfies readonly Invariant[];

export type InvariantName = (typeof INVARIANTS)[number]["name"];

/**
 * Every violation of the invariants in one database, as readable lines ("[name] detail"), none
 * when all hold. `waived` names invariants a test breaks on purpose (its database's `waive`).
 */
export async function checkInvariants(
  databaseUrl: string,
  options: { waived?: Iterable<InvariantName> } = {},
): Promise<string[]> {
  const waived = new Set<string>(options.waived ?? []);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const lines: string[] = [];
    for (const invariant of INVARIANTS) {
      if (waived.has(invariant.name)) continue;
      const { rows } = await client.query<{ detail: string }>(`SELECT * FROM (${invariant.sql}) AS v(detail)`);
      for (const row of rows) lines.push(`[${invariant.name}] ${row.detail}`);
    }
    return lines;
  } finally {
    await client.end();
  }
}
