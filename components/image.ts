import type { ImageRef } from "../stacks/schema";

/** The reference a pod pulls: by digest when one is known, so that a moved tag changes nothing. */
export function pinnedReference(image: ImageRef): string {
    return image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag}`;
}
