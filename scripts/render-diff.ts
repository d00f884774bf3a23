import type { Manifest } from "./offline";
import { podTemplate, podTemplateChanged, references, replacingChanges } from "./replacements";

// `npm run render -- --diff`: what changed since the previous render, in the terms of
// `pulumi preview --diff`: objects added, removed, changed, and replaced (the provider replaces
// an object when a field it cannot update changes; an object it names gets a new name), with the
// workloads whose pod template changes because of a replacement, which roll.

/** One render's Kubernetes objects: the YAML of each, and its resource's URN and manifest, by object key. */
export interface RenderSide {
    texts: Map<string, string>;
    objects: Map<string, { urn: string; manifest: Manifest }>;
}

interface Replacement {
    before: string;
    after: string;
    fields: string[];
}

const kindOf = (key: string) => key.split("/")[0];
const nameOf = (key: string) => key.split("/").slice(2).join("/");

/** Each current object's key in the previous render: the same resource (URN), else the same key. */
function counterparts(previous: RenderSide, current: RenderSide): Map<string, string> {
    const previousByUrn = new Map([...previous.objects].map(([key, object]) => [object.urn, key]));
    const currentUrns = new Set([...current.objects.values()].map((object) => object.urn));
    const matched = new Map<string, string>();
    for (const [key, object] of current.objects) {
        const sameKey = previous.texts.has(key) && !currentUrns.has(previous.objects.get(key)?.urn ?? "");
        const before = previousByUrn.get(object.urn) ?? (sameKey ? key : undefined);
        if (before !== undefined) {
            matched.set(key, before);
        }
    }
    return matched;
}

/** The workloads whose pod template changes and refers to the replacement's new object. */
function rolledBy(replacement: Replacement, changedTemplates: string[], current: RenderSide): string[] {
    const reference = `${kindOf(replacement.after)}/${nameOf(replacement.after)}`;
    return changedTemplates.filter((key) => references(podTemplate(current.objects.get(key)!.manifest)).has(reference));
}

export function diffText(previous: RenderSide, current: RenderSide, patch: typeof import("diff").createTwoFilesPatch): string {
    if (previous.texts.size === 0) {
        return "Diff: no previous render to compare with (every object is new).";
    }
    const matched = counterparts(previous, current);
    const added = [...current.texts.keys()].filter((key) => !matched.has(key));
    const kept = new Set(matched.values());
    const removed = [...previous.texts.keys()].filter((key) => !kept.has(key));
    const replaced: Replacement[] = [];
    const changed: string[] = [];
    for (const [after, before] of matched) {
        const old = previous.objects.get(before)?.manifest;
        const fields = old ? replacingChanges(old, current.objects.get(after)!.manifest) : [];
        if (fields.length > 0) {
            replaced.push({ before, after, fields });
        } else if (previous.texts.get(before) !== current.texts.get(after)) {
            changed.push(after);
        }
    }
    const changedTemplates = changed.filter((key) => {
        const old = previous.objects.get(matched.get(key)!)?.manifest;
        return old !== undefined && podTemplateChanged(old, current.objects.get(key)!.manifest);
    });
    const unified = (before: string, after: string) =>
        patch(`previous/${before}`, `current/${after}`, previous.texts.get(before)!, current.texts.get(after)!).split("\n").slice(1).join("\n").trimEnd();

    const lines = [
        `Diff against the previous render: ${added.length} added, ${removed.length} removed, ${changed.length} changed, ${replaced.length} replaced.`,
    ];
    lines.push(...added.map((key) => `+ ${key}`), ...removed.map((key) => `- ${key}`));
    for (const replacement of replaced) {
        const cause = replacement.fields.filter((field) => !field.startsWith("metadata.")).join(", ") || "metadata.name";
        const how =
            replacement.before !== replacement.after
                ? ` by ${nameOf(replacement.after)}, created before the old one is deleted`
                : ": deleted, then created under the same name";
        lines.push(`+- ${replacement.before}: replaced (${cause} changes)${how}`);
        const rolls = rolledBy(replacement, changedTemplates, current);
        lines.push(
            rolls.length > 0
                ? `   pod templates that refer to it change (Deployments, StatefulSets and DaemonSets roll): ${rolls.join(", ")}`
                : "   no pod template changes with it",
        );
        lines.push(unified(replacement.before, replacement.after));
    }
    for (const key of changed) {
        const rolls = !changedTemplates.includes(key)
            ? ""
            : kindOf(key) === "CronJob"
              ? " (its pod template changes: its next Job runs the new one)"
              : " (its pod template changes: it rolls)";
        lines.push(`~ ${key}${rolls}`, unified(matched.get(key)!, key));
    }
    return lines.join("\n");
}
