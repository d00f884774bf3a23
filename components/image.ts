/** An image by repository, and tag or digest (at least one of them). */
export interface ImageReference {
    repository: string;
    tag?: string;
    digest?: string;
}

/** The reference a pod pulls: by digest when one is known, so that a moved tag changes nothing. */
export function pinnedReference(image: ImageReference): string {
    return image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag}`;
}
