import type { RegistryEvent } from "../registry-event.js";
import { renderCloudEvent } from "./cloudevents.js";
import { renderDtr } from "./dtr.js";

export type PayloadFormatName = "dtr" | "dockerhub" | "cloudevents";

/** Formats a webhook can be created with today; the others arrive with their issues. */
export const SUPPORTED_FORMATS: readonly PayloadFormatName[] = ["dtr", "cloudevents"];

export interface RenderedPayload {
  body: string;
  contentType: string;
}

/** The body of a delivery in a webhook's format; `eventId` is the event's id, the same on every try. */
export function renderPayload(format: PayloadFormatName, event: RegistryEvent, eventId: string): RenderedPayload {
  switch (format) {
    case "dtr":
      return { body: JSON.stringify(renderDtr(event)), contentType: "application/json" };
    case "cloudevents":
      return renderCloudEvent(event, eventId);
    default:
      throw new Error(`payload format ${format} is not supported yet`);
  }
}
