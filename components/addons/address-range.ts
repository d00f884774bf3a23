import { addressValue, isIpv4Range } from "../targets/cidr";

/** The first and last address of an IPv4 range written as MetalLB takes it: a CIDR, or `first-last`. */
export type AddressSpan = readonly [first: number, last: number];

const dottedQuad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isAddress(text: string): boolean {
    const match = dottedQuad.exec(text);
    return match !== null && match.slice(1).every((octet) => Number(octet) <= 255);
}

/** The span of `text`, or a sentence saying why it is none. */
export function addressSpan(text: string): AddressSpan | string {
    if (text.includes("/")) {
        if (!isIpv4Range(text)) {
            return "an IPv4 CIDR with its host bits zero, such as 192.168.1.240/28";
        }
        const [address, prefix] = text.split("/");
        const first = addressValue(address);
        return [first, first + 2 ** (32 - Number(prefix)) - 1];
    }
    const [from, to, ...rest] = text.split("-").map((part) => part.trim());
    if (to === undefined || rest.length > 0 || !isAddress(from) || !isAddress(to)) {
        return "a CIDR or a range of two IPv4 addresses such as 192.168.1.240-192.168.1.250";
    }
    const span: AddressSpan = [addressValue(from), addressValue(to)];
    return span[0] <= span[1] ? span : "a range whose first address is not above its last";
}

export function spansOverlap(a: AddressSpan, b: AddressSpan): boolean {
    return a[0] <= b[1] && b[0] <= a[1];
}
