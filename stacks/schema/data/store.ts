import { z } from "zod";
import { imageRef } from "../image";
import { dnsLabel, quantity, resources } from "../values";

// What the data stores' settings share: the bundled server, and the address of an external one.

const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "an IPv4 CIDR such as 10.20.0.0/16");
export const cidrs = z
    .array(cidr)
    .min(1, "at least one range")
    .describe("address ranges of the server; egress is opened to these on its port and to nothing else");
export const httpUrl = z.string().regex(/^https?:\/\/[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:\d{1,5})?(\/\S*)?$/, "an http:// or https:// URL");
export const hostName = z.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$/, "a host name or IP address");

const volume = z.strictObject({
    size: quantity("memory").describe("size of the volume claim"),
    storageClass: dnsLabel.optional().describe("storage class of the claim (default: the target's)"),
});

export const bundledStore = z.strictObject({
    image: imageRef.optional().describe("image of the bundled server (default: the official image at a pinned release); set a digest here to pin it in prod"),
    storage: volume.describe("volume of the bundled server"),
    resources: resources.describe("requests and limits of the bundled server"),
});
