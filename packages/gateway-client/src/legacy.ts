// @missionctl/gateway-client/legacy — the `devices/paired.json` of gateways from before pairing
// moved into SQLite. openclaw 2026.9.x ignores that file (approve with `openclaw devices approve`
// or approveDevice); kept for the installs that still run such a gateway.
export type {
  AddToPairedJsonOptions,
  AddToPairedJsonResult,
  BuildPairedEntryOptions,
  LegacyPairedEntry,
} from "./pairing/legacy.js";
export { addToPairedJson, buildPairedEntry } from "./pairing/legacy.js";
