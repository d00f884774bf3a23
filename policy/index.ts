import { PolicyPack } from "@pulumi/policy";
import { packName, policies } from "./pack";

// The pack's entry point (policy/package.json points here once compiled):
//   pulumi preview --policy-pack policy [--policy-pack-config policy/config/prod.json]
// Constructing the pack starts the analyzer server the engine talks to, so nothing else imports
// this file; tests and tools import ./pack.
new PolicyPack(packName, { policies, description: "appstack guardrails: hardened, wired and private workloads and cloud data" });
