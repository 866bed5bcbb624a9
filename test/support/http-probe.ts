// The raw health probe lives in the product (the dashboard uses it); tests use the same one.
export { probe, healthCodes, type ProbeAnswer } from "../../src/dashboard/health-probe.js";
