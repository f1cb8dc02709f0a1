// Types of trail.js, for the TypeScript tests that import it.
import type { StoredEvent } from '../server.mjs';

export interface Stop {
  /** The page view that starts the stop; null for events before any page view. */
  view: StoredEvent | null;
  events: StoredEvent[];
}

export interface VideoLine {
  title: string;
  duration?: number;
  percent: number;
  watchedMs: number;
  events: string[];
  summary?: boolean;
}

export interface StopSummary {
  dwell: Record<string, unknown> | null;
  videos: Map<string, VideoLine>;
  vitals: Map<string, { name: string; value: number; rating: string }>;
  places: StoredEvent[];
  actions: StoredEvent[];
}

export function byTime(a: StoredEvent, b: StoredEvent): number;
export function groupTrail(events: StoredEvent[]): Stop[];
export function summarizeStop(stop: Stop): StopSummary;
export function duration(ms: unknown): string;
export function vitalValue(v: { name: string; value: number }): string;
