/// <reference types="node" />
// Types of server.mjs, for the TypeScript tests and harness that import it.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Fault injection for `POST /v1/batch`; changeable at run time with `configure()`. */
export interface FaultOptions {
  /** Share of batch POSTs (0..1) answered with a random status from `failStatuses`. @default 0 */
  failRate?: number;
  /** Statuses used by `failRate`; 429 and 503 carry `Retry-After: 1`. @default [500, 503, 429] */
  failStatuses?: number[];
  /** A fixed status (400..599) for every batch POST; `null` or 0 clears it. @default null */
  status?: number | null;
  /** Delay before answering a batch POST. @default 0 */
  latencyMs?: number;
}

export interface CollectorOptions extends FaultOptions {
  /** 0 picks any free port. @default 8787 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Where events.ndjson lives. @default '<repo>/.data/collector' */
  dataDir?: string;
  /**
   * Allowed origins. `'*'` answers `Access-Control-Allow-Origin: *` literally; with a list, POSTs
   * from other origins get 403 and requests without an `Origin` header pass. @default '*'
   */
  origins?: '*' | string[];
  /** Larger bodies get 413 and are not read further. @default 1_048_576 */
  maxBodyBytes?: number;
  /** One line per request on stdout. @default false */
  log?: boolean;
  /** Enables `POST /v1/control` (faults and `downMs` from a page). @default false */
  control?: boolean;
}

/** An event as stored: the wire event plus the collector's `receivedAt` (epoch ms). */
export interface StoredEvent {
  id: string;
  type: string;
  ts: number;
  receivedAt: number;
  anonymousId?: string;
  sessionId?: string;
  [key: string]: unknown;
}

/** One `POST /v1/batch` as received, whatever the answer. */
export interface RawPost {
  /** When the request arrived (epoch ms). */
  at: number;
  status: number;
  contentType: string | null;
  /** Event ids found in the body, even when the batch was rejected or failed on purpose. */
  ids: string[];
  bytes: number;
}

export interface EventFilter {
  anonymousId?: string;
  type?: string;
  /** Events with `receivedAt >= since` (epoch ms, collector clock). */
  since?: number;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface Collector {
  /** e.g. `http://127.0.0.1:8787` */
  url: string;
  port: number;
  /** `url + '/v1/batch'` */
  batchUrl: string;
  dataDir: string;
  /** Stored unique events, in arrival order. */
  events(filter?: EventFilter): StoredEvent[];
  /** Every batch POST answered, in the order answered (newest 10,000). */
  raw(): RawPost[];
  configure(partial: FaultOptions): Required<FaultOptions>;
  /** Closes the listener and destroys open sockets; listens again on the same port after `ms`. */
  down(ms: number): Promise<void>;
  /** Resolves with the (filtered) stored events once the count is reached or the predicate holds. */
  waitForEvents(
    condition: number | ((events: StoredEvent[]) => boolean),
    options?: { timeoutMs?: number; filter?: EventFilter },
  ): Promise<StoredEvent[]>;
  /** Called once for each newly stored event (the seam for a live journey view). Returns `off`. */
  onEvent(listener: (event: StoredEvent) => void): () => void;
  /** Adds or replaces a route, e.g. `route('GET', '/', page)`. CORS headers are already set. */
  route(method: string, path: string, handler: RouteHandler): void;
  /** Forgets stored events (the file too) and the raw log. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export function startCollector(options?: CollectorOptions): Promise<Collector>;
