import { createHash } from "node:crypto";
import { TypeID, typeid } from "typeid-js";

/**
 * Prefixed, time-ordered ids (TypeID: a prefix and a UUIDv7 in base32), so an id in a log line
 * says what it is: wh_..., dlv_..., evt_...
 */
export const ID_PREFIX = {
  user: "usr",
  token: "tok",
  grant: "grt",
  webhook: "wh",
  event: "evt",
  delivery: "dlv",
  attempt: "att",
  callback: "cb",
  chain: "chn",
  chainRun: "run",
  chainStep: "stp",
} as const;

export function newId(kind: keyof typeof ID_PREFIX): string {
  return typeid(ID_PREFIX[kind]).toString();
}

/**
 * The id of an event's delivery to a webhook, the same every time it is asked: fan-out sends a
 * first attempt before writing its delivery (decision 0015), and a run again after a crash writes
 * it under this same id, so a repeat carries the same webhook-id (the receiver's idempotency key).
 * Time-ordered like the others, by its event's time: the event id's timestamp, then bits of a
 * SHA-256 of the pair.
 */
export function deliveryIdFor(eventId: string, webhookId: string): string {
  const bytes = new Uint8Array(16);
  bytes.set(createHash("sha256").update(`${eventId} ${webhookId}`).digest().subarray(0, 16));
  if (eventId !== lastEvent.id) lastEvent = { id: eventId, timestamp: eventTimestamp(eventId) };
  bytes.set(lastEvent.timestamp, 0);
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f); // version 7
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f); // RFC 4122 variant
  return TypeID.fromUUIDBytes(ID_PREFIX.delivery, bytes).toString();
}

/** Fan-out asks for an event's deliveries one after the other: its timestamp is read once. */
let lastEvent: { id: string; timestamp: Uint8Array } = { id: "", timestamp: new Uint8Array(6) };

/** The 48-bit millisecond timestamp a UUIDv7 TypeID starts with; now's for an id that is not one. */
function eventTimestamp(eventId: string): Uint8Array {
  try {
    return TypeID.fromString(eventId).toUUIDBytes().subarray(0, 6);
  } catch {
    // Not a TypeID (an id from before them, or a test's): ordered by when its delivery was made.
    return typeid("x").toUUIDBytes().subarray(0, 6);
  }
}
