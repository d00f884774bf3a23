import { skipped, type SectionResult } from "./section";

// Section f of `npm run bench`: `pulumi preview` and `pulumi up` of the local stack, and the
// no-change up. They need the local Pulumi tools, which do not exist yet: the Pulumi Kubernetes
// provider plugin cannot be built on this project's machines (README, "Against a real API
// server"). BENCHMARKS.md has the figures of a one-off preview with a hand-built toolchain.

export const title = "f. the Pulumi CLI: preview and up of the local stack";

export function benchLocal(): SectionResult {
    return skipped(title, "no local Pulumi toolchain: the Kubernetes provider plugin cannot be built here (see README)");
}
