export { type ApiHandle, startApi } from "./server.js";
