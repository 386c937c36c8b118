import type { RegistryEvent } from "../registry-event.js";
import { renderDtr } from "./dtr.js";

export type PayloadFormatName = "dtr" | "dockerhub" | "cloudevents";

/** Formats a webhook can be created with today; the others arrive with their issues. */
export const SUPPORTED_FORMATS: readonly PayloadFormatName[] = ["dtr"];

export interface RenderedPayload {
  body: string;
  contentType: string;
}

export function renderPayload(format: PayloadFormatName, event: RegistryEvent): RenderedPayload {
  switch (format) {
    case "dtr":
      return { body: JSON.stringify(renderDtr(event)), contentType: "application/json" };
    default:
      throw new Error(`payload format ${format} is not supported yet`);
  }
}
