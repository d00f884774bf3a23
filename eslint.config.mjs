// ESLint with typescript-eslint's recommended rules, for the program, its tooling and tests, and
// the sample app. Formatting is prettier's (.prettierrc.json), not ESLint's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["**/bin/", "**/node_modules/", "app/dist/", "app/dist-test/", "rendered/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            // A stack loads only the SDKs it uses: a target's or a store's module, and a cloud's SDK,
            // are required where the stack selects them (see DESIGN.md).
            "@typescript-eslint/no-require-imports": "off",
            // A leading underscore marks what is left out on purpose (`{ kind: _kind, ...rest }`).
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
        },
    },
    {
        // These read objects no one type describes: rendered manifests of every kind (tests), what
        // the engine hands a policy, what the mock monitor is sent, and the scanners' reports.
        files: ["test/**/*.ts", "app/test/**/*.ts", "deployments/test/**/*.ts", "policy/**/*.ts", "scripts/offline/**/*.ts", "scripts/scan.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
