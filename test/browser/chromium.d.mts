/** Flags proven on these machines (shared/BROWSER-TESTING.md). */
export const CHROMIUM_ARGS: string[];
/** The Chromium to drive: `$CHROMIUM_BIN`, else Debian's binary. */
export function chromiumPath(): string;
/** Resolves the ESM build's dependencies from the served node_modules/. */
export const IMPORT_MAP: string;
