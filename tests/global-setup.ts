import { prepareTemplateDatabase } from "@hookyard/testkit";

/** One migrated template database per run; each test copies it (tests/support/hookyard.ts). */
export default async function setup(): Promise<void> {
  await prepareTemplateDatabase();
}
