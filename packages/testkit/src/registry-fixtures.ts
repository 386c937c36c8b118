import { readdirSync, readFileSync } from "node:fs";

/** packages/core/src/sources/__fixtures__: the golden events of each registry, from its own source
 * (a README.md beside each set says which file and version). The same from src/ and dist/. */
const ROOT = new URL("../../core/src/sources/__fixtures__/", import.meta.url);

/** The JSON files of one registry's fixtures, by file name (cases.json excluded), sorted. */
export function fixtureFiles(registry: string): string[] {
  return readdirSync(new URL(`${registry}/`, ROOT))
    .filter((name) => name.endsWith(".json") && name !== "cases.json")
    .sort();
}

/** One fixture file of a registry, parsed. */
export function readFixture<T = Record<string, unknown>>(registry: string, file: string): T {
  return JSON.parse(readFileSync(new URL(`${registry}/${file}`, ROOT), "utf8")) as T;
}

/** Quay's cases.json: which `?event=` each fixture is posted with and what it must become. */
export interface QuayCase {
  file: string;
  event: string | null;
  types: string[];
  ignored: number;
}

export const quayCases = (): QuayCase[] => readFixture<QuayCase[]>("quay", "cases.json");

/** A Zot fixture: a CloudEvent as the HTTP sink (binary) or a NATS bridge (structured) sends it. */
export interface ZotFixture {
  mode: "binary" | "structured";
  headers: Record<string, string>;
  body: any;
}
