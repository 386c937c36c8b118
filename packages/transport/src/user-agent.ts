import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

/** Every request Hookyard sends to a receiver says who sent it (the contract: Hookyard/<version>). */
export const USER_AGENT = `Hookyard/${pkg.version}`;
