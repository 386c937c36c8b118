import {
  DEFAULT_TEMPLATE_CONTENT_TYPE,
  describeTemplateError,
  type EventType,
  mediaTypeProblem,
  type PayloadFormat,
  parseTemplate,
  renderTemplate,
  type Scope,
  sampleEvent,
  TemplateError,
  type TemplateLimits,
  templateScope,
} from "@hookyard/core";
import { z } from "zod";
import { badRequest } from "../http/api-error.js";

/*
 * A `template` webhook's two fields (decision 0020): checked at create and PATCH, by parsing the
 * template and rendering it once against a sample event of each type the webhook takes, so that
 * an unknown filter, a render over the limits or a syntax error is refused here, with its line,
 * rather than failing every delivery later.
 */

export const templateFields = {
  template: z.string().meta({
    description:
      "format template only: a Liquid template rendered into each delivery's body (docs/event-payloads.md, " +
      "Template variables); at most HOOKYARD_TEMPLATE_MAX_BYTES",
  }),
  templateContentType: z
    .string()
    .superRefine((value, ctx) => {
      const problem = mediaTypeProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .meta({ description: "format template only: the deliveries' Content-Type; default application/json" }),
};

/** What a webhook's template fields are after a create or a change. */
export interface TemplateState {
  template: string | null;
  templateContentType: string | null;
}

/** A template problem as a 400 naming the field, the line and column, and what is wrong. */
export function templateProblem(error: TemplateError, sample?: EventType) {
  const where = sample ? `rendering a sample ${sample} event: ` : "";
  return badRequest(`template: ${where}${describeTemplateError(error)}`);
}

/** Parses a template and renders it against a sample of each type, or throws the 400. */
export function assertTemplateRenders(
  template: string,
  types: readonly EventType[],
  scope: Scope,
  limits: TemplateLimits,
): void {
  try {
    parseTemplate(template, limits);
  } catch (error) {
    if (error instanceof TemplateError) throw templateProblem(error);
    throw error;
  }
  const at = new Date();
  // All the samples together get twice one render's time: a template just under the timeout must
  // not hold the API's event loop for that long once per event type.
  const deadline = performance.now() + 2 * limits.renderTimeoutMs;
  for (const type of types) {
    const event = sampleEvent(type, scope, `check:${type}`, at);
    const subject = { deliveryId: "dlv_sample", webhook: { id: "wh_sample", name: "sample" } };
    const left = Math.max(1, Math.min(limits.renderTimeoutMs, deadline - performance.now()));
    try {
      renderTemplate(template, templateScope(event, "evt_sample", subject), { ...limits, renderTimeoutMs: left });
    } catch (error) {
      if (error instanceof TemplateError) throw templateProblem(error, type);
      throw error;
    }
  }
}

/**
 * The template fields a webhook of `format` ends up with, from what the request gave and what the
 * webhook had (none on create). Only `template` carries them: given with another format, they are
 * refused; a change of format away from `template` drops them.
 */
export function resolveTemplateFields(
  format: PayloadFormat,
  given: { template?: string; templateContentType?: string },
  had: TemplateState,
  check: { types: readonly EventType[]; scope: Scope; limits: TemplateLimits; recheck: boolean },
): TemplateState {
  if (format !== "template") {
    for (const field of ["template", "templateContentType"] as const) {
      if (given[field] !== undefined) {
        throw badRequest(`${field}: only a webhook of format template carries one; this one's format is ${format}`);
      }
    }
    return { template: null, templateContentType: null };
  }
  const template = given.template ?? had.template;
  if (template === null) throw badRequest("template: a webhook of format template needs a template");
  if (given.template !== undefined || check.recheck) {
    assertTemplateRenders(template, check.types, check.scope, check.limits);
  }
  return {
    template,
    templateContentType: given.templateContentType ?? had.templateContentType ?? DEFAULT_TEMPLATE_CONTENT_TYPE,
  };
}
