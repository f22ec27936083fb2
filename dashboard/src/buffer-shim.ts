/**
 * The generated codecs (ts-proto, env=node) build bytes fields with Node's Buffer; in the browser
 * the `buffer` package provides the same API. Imported first by main.ts.
 */
import { Buffer } from "buffer";

(globalThis as unknown as { Buffer: typeof Buffer }).Buffer ??= Buffer;
