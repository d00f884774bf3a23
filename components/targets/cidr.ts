/**
 * The `index`-th subnet of `prefix + newBits` bits in an IPv4 range, as Terraform's cidrsubnet()
 * numbers them: cidrSubnet("10.0.0.0/16", 3, 1) is "10.0.32.0/19".
 */
export function cidrSubnet(range: string, newBits: number, index: number): string {
    const [address, prefixText] = range.split("/");
    const prefix = Number(prefixText);
    const length = prefix + newBits;
    if (length > 32 || index < 0 || index >= 2 ** newBits) {
        throw new Error(`no subnet ${index} of /${length} in ${range}`);
    }
    const start = addressValue(address) + index * 2 ** (32 - length);
    return `${[24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256).join(".")}/${length}`;
}

/** Whether `range` is an IPv4 CIDR with its host bits zero, such as 10.0.0.0/16. */
export function isIpv4Range(range: string): boolean {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(range);
    if (!match || Number(match[5]) > 32 || match.slice(1, 5).some((octet) => Number(octet) > 255)) {
        return false;
    }
    return addressValue(range.split("/")[0]) % 2 ** (32 - Number(match[5])) === 0;
}

/** Whether two IPv4 ranges share an address. */
export function rangesOverlap(a: string, b: string): boolean {
    const bounds = (range: string) => {
        const [address, prefix] = range.split("/");
        const start = addressValue(address);
        return [start, start + 2 ** (32 - Number(prefix)) - 1];
    };
    const [aStart, aEnd] = bounds(a);
    const [bStart, bEnd] = bounds(b);
    return aStart <= bEnd && bStart <= aEnd;
}

/** An IPv4 address (dotted quad) as a number. */
export function addressValue(address: string): number {
    return address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
}
