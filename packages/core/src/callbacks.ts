import { createHash, randomBytes } from "node:crypto";
import { withoutTrailingSlashes } from "./trailing-slashes.js";

/*
 * Docker Hub's callback_url (contract: "Callback chains"): every dockerhub-format delivery carries
 * a URL holding an unguessable token; a receiver POSTs its verdict there, without a bearer token.
 * Only the token's SHA-256 is stored, and the token never reaches a log.
 */

/** Where callback URLs live under HOOKYARD_PUBLIC_URL: `<public url>/api/v1/callbacks/<token>`. */
export const CALLBACK_PATH = "/api/v1/callbacks";

export const CALLBACK_STATES = ["success", "failure", "error"] as const;
export type CallbackStateName = (typeof CALLBACK_STATES)[number];

/** Docker Hub's limits on what a receiver may say. */
export const CALLBACK_LIMITS = { description: 255, context: 100, targetUrl: 2048 } as const;

/** A callback token: 32 random bytes in base64url, 43 characters, 256 bits. */
export const CALLBACK_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A new callback token (256 random bits, URL-safe) and the hash that is stored in its place. */
export function newCallbackToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: callbackTokenHash(token) };
}

/** Tokens are 256 random bits, so one unsalted SHA-256 is enough to store them safely. */
export function callbackTokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Whether text can be a callback token at all; anything else is not looked up. */
export function isCallbackTokenShape(text: string): boolean {
  return CALLBACK_TOKEN_SHAPE.test(text);
}

export function callbackUrl(publicUrl: string, token: string): string {
  return `${withoutTrailingSlashes(publicUrl)}${CALLBACK_PATH}/${token}`;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Path segments after which every segment is a secret: `callbacks/<token>`, `ingest/quay/<token>`. */
function startsSecret(previous: string, name: string): boolean {
  return name === "callbacks" || (previous === "ingest" && name === "quay");
}

/**
 * A request path as it may be logged or answered: every segment after a `callbacks` one or after
 * `ingest/quay` is masked however it is spelled (Express matches routes case-insensitively, a
 * percent-encoded slash hides a segment inside another, a mistyped path is logged too), and so is
 * any segment shaped like a callback token (a callback URL with a typo in its path).
 */
export function maskSecretPath(path: string): string {
  const segments = path.split("/");
  let previous = "";
  let secret = false;
  return segments
    .map((segment) => {
      let masked = false;
      for (const part of decoded(segment).split("/")) {
        if (part === "") continue;
        masked ||= secret || isCallbackTokenShape(part);
        const name = part.toLowerCase();
        secret ||= startsSecret(previous, name);
        previous = name;
      }
      return masked ? "[redacted]" : segment;
    })
    .join("/");
}

/** The callback path's masking, now `maskSecretPath`, which masks Quay's path token too. */
export const maskCallbackPath = maskSecretPath;
