/**
 * Runs a command's entry point and exits with its code (0 when it returns none). A failure exits
 * 1 with the error's message alone: the commands' errors are written for a user, not a debugger.
 */
export function runMain(main: () => Promise<number | void>): void {
    main().then(
        (code) => process.exit(code ?? 0),
        (error: unknown) => {
            console.error(error instanceof Error ? error.message : error);
            process.exit(1);
        },
    );
}
