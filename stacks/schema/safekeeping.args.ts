import type { StackConfig } from "./stack";

/**
 * What the stack keeps, worked out here alone: `protect` refuses deletion of what holds data or
 * runs everything; `production` (prod) keeps what holds data beyond the stack (retained volumes
 * and resources, deletion protection, final snapshots, versioning) and sizes the cloud's
 * services for production. Every args builder hands these on; none works them out itself.
 */
export function safekeeping(config: Pick<StackConfig, "environment" | "protect">): { protect: boolean; production: boolean } {
    return { protect: config.protect, production: config.environment === "prod" };
}
