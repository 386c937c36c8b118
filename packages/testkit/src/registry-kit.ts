export * from "./oci-layout.js";
export * from "./registry.js";
export * from "./skopeo.js";
