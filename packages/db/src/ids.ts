import { typeid } from "typeid-js";

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
