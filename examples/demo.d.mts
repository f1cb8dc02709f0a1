// Types of demo.mjs, for the TypeScript tests that start the demo in-process.
import type { Collector } from './collector/server.mjs';

export interface DemoOptions {
  /** Port of the example sites; 0 picks a free one. @default 8080 */
  port?: number;
  /** Port of the collector and its journey view; 0 picks a free one. @default 8787 */
  collectorPort?: number;
  /** Where the collector keeps events.ndjson. @default '<repo>/.data/collector' */
  dataDir?: string;
  /** Build first when dist/ is missing or older than the sources. @default true */
  build?: boolean;
}

export interface Demo {
  urls: { storefront: string; spa: string; locator: string; journey: string; collector: string };
  collector: Collector;
  close(): Promise<void>;
}

export function startDemo(options?: DemoOptions): Promise<Demo>;
/** True when a build output is missing or older than a source. */
export function buildIsStale(root?: string): boolean;
