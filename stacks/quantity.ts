// Kubernetes resource quantities ("250m", "1.5", "512Mi", "1e3"), parsed so that config can be
// checked before anything reaches the API server: "1Gb" or "0.5cores" are typos that the server
// would otherwise reject halfway through an update.

const binarySuffixes: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

const decimalSuffixes: Record<string, number> = {
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
};

const quantityPattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/** The value of a quantity in base units (cores, bytes), or undefined when it is not one. */
export function parseQuantity(text: string): number | undefined {
    const match = quantityPattern.exec(text);
    if (!match) {
        return undefined;
    }
    const [, digits, exponent, suffix = ""] = match;
    const value = Number(digits);
    if (exponent !== undefined) {
        return value * 10 ** Number(exponent.slice(1));
    }
    return value * (binarySuffixes[suffix] ?? decimalSuffixes[suffix]);
}
