import { z } from "zod";
import { positiveInt, quantity } from "./values";

// What the namespace imposes on every pod in it.

export const quota = z.strictObject({
    requestsCpu: quantity("cpu").describe("total CPU requests in the namespace"),
    requestsMemory: quantity("memory").describe("total memory requests in the namespace"),
    limitsMemory: quantity("memory").describe("total memory limits in the namespace"),
    pods: positiveInt.describe("most pods in the namespace"),
});

export const limitRange = z.strictObject({
    defaultRequestCpu: quantity("cpu").describe("CPU request of a container that sets none"),
    defaultRequestMemory: quantity("memory").describe("memory request of a container that sets none"),
    defaultLimitMemory: quantity("memory").describe("memory limit of a container that sets none"),
    maxMemory: quantity("memory").describe("largest memory limit of one container"),
});
