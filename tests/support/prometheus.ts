import { createRequire } from "node:module";

/** What parse-prometheus-text-format makes of one metric family (it ships no types). */
export interface Family {
  name: string;
  type: string;
  metrics: Array<{
    labels?: Record<string, string>;
    value?: string;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }>;
}

/** Prometheus text exposition, as its metric families. */
export const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => Family[];
