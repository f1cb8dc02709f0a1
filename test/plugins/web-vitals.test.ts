import type { Metric } from 'web-vitals';
import { afterEach, describe, expect, it } from 'vitest';
import { createTracker } from '../../src/core/tracker';
import type { CrumbEvent, Tracker } from '../../src/core/types';
import { onWebVital, webVitals, type VitalName, type VitalsLibrary } from '../../src/plugins/web-vitals';
import { vitalTarget, webVitalsAttribution } from '../../src/plugins/web-vitals-attribution';
import { captureTransport, freshNamespace } from '../helpers';

/** A fake of the library: remembers each reporter's callback so the test can report metrics. */
function fakeLibrary() {
  const callbacks: Partial<Record<VitalName, ((m: Metric) => void)[]>> = {};
  const on = (name: VitalName) => (cb: (m: Metric) => void) => void (callbacks[name] ||= []).push(cb);
  const library: VitalsLibrary = { onLCP: on('LCP'), onINP: on('INP'), onCLS: on('CLS'), onFCP: on('FCP'), onTTFB: on('TTFB') };
  const report = (name: VitalName, value: number, extra: Partial<Metric> & { attribution?: object } = {}) =>
    callbacks[name]?.forEach((cb) =>
      cb({ name, value, delta: value, rating: 'good', id: `v5-${name}-1`, entries: [], navigationType: 'navigate', navigationId: 1, ...extra } as Metric),
    );
  return { library, callbacks, report };
}

const trackers: Tracker[] = [];
function tracked(plugin: ReturnType<typeof webVitals>) {
  const tracker = createTracker({ transport: captureTransport().transport, storage: 'memory', namespace: freshNamespace(), plugins: [plugin] });
  trackers.push(tracker);
  const events: CrumbEvent[] = [];
  tracker.on('event', (e) => events.push(e));
  return { tracker, events };
}
afterEach(async () => {
  await Promise.all(trackers.splice(0).map((t) => t.shutdown()));
});

describe('onWebVital', () => {
  it('subscribes to all five metrics and passes name, value, rating, navigation type and id', () => {
    const { library, callbacks, report } = fakeLibrary();
    const seen: unknown[] = [];
    onWebVital((v) => seen.push(v), { library });
    expect(Object.keys(callbacks).sort()).toEqual(['CLS', 'FCP', 'INP', 'LCP', 'TTFB']);
    report('LCP', 1234.5, { rating: 'needs-improvement', navigationType: 'reload' });
    expect(seen).toEqual([{ name: 'LCP', value: 1234.5, rating: 'needs-improvement', navigationType: 'reload', id: 'v5-LCP-1' }]);
  });

  it('reports each metric instance once, even when the library reports it again', () => {
    const { library, report } = fakeLibrary();
    const seen: string[] = [];
    onWebVital((v) => seen.push(`${v.name}:${v.value}`), { library });
    report('CLS', 0.05);
    report('CLS', 0.08); // the page came back and was hidden again: same instance id
    report('CLS', 0.01, { id: 'v5-CLS-2' }); // a restore from the back/forward cache: a new instance
    expect(seen).toEqual(['CLS:0.05', 'CLS:0.01']);
  });

  it('subscribes only to the metrics asked for', () => {
    const { library, callbacks } = fakeLibrary();
    onWebVital(() => {}, { library, metrics: ['LCP', 'CLS'] });
    expect(Object.keys(callbacks).sort()).toEqual(['CLS', 'LCP']);
  });

  it('reports a metric named twice in metrics once, as each subscription to the library measures its own instance', () => {
    // As web-vitals does: every onLCP() call makes its own metric, with its own id.
    const callbacks: ((m: Metric) => void)[] = [];
    const on = (cb: (m: Metric) => void) => {
      const id = `v5-LCP-${callbacks.length + 1}`;
      callbacks.push((m) => cb({ ...m, id }));
    };
    const library = { ...fakeLibrary().library, onLCP: on };
    const seen: string[] = [];
    onWebVital((v) => seen.push(v.name), { library, metrics: ['LCP', 'CLS', 'LCP'] });
    callbacks.forEach((cb) => cb({ name: 'LCP', value: 900, delta: 900, rating: 'good', id: '', entries: [], navigationType: 'navigate' } as unknown as Metric));
    expect(seen).toEqual(['LCP']);
  });

  it('calls nothing after stop', () => {
    const { library, report } = fakeLibrary();
    const seen: unknown[] = [];
    const stop = onWebVital((v) => seen.push(v), { library });
    stop();
    report('INP', 80);
    expect(seen).toEqual([]);
  });
});

describe('webVitals()', () => {
  it('records one web_vital event per metric with the wire props', () => {
    const { library, report } = fakeLibrary();
    const { events } = tracked(webVitals({ library }));
    for (const [name, value] of [['TTFB', 120], ['FCP', 900], ['LCP', 1800], ['INP', 250], ['CLS', 0.02]] as const) report(name, value);
    report('LCP', 1900);
    expect(events.map((e) => [e.type, e.props.name, e.props.value])).toEqual([
      ['web_vital', 'TTFB', 120],
      ['web_vital', 'FCP', 900],
      ['web_vital', 'LCP', 1800],
      ['web_vital', 'INP', 250],
      ['web_vital', 'CLS', 0.02],
    ]);
    expect(events[2].props).toEqual({ name: 'LCP', value: 1800, rating: 'good', navigationType: 'navigate', id: 'v5-LCP-1' });
  });

  it('records nothing after the tracker shut down', async () => {
    const { library, report } = fakeLibrary();
    const { tracker, events } = tracked(webVitals({ library }));
    await tracker.shutdown();
    report('CLS', 0.3);
    expect(events).toEqual([]);
  });

  it('uses the real web-vitals library by default without throwing in happy-dom', () => {
    const { events } = tracked(webVitals());
    expect(events).toEqual([]);
  });
});

describe('webVitalsAttribution()', () => {
  it('adds the selector of the LCP element, the largest shift and the interaction target', () => {
    const { library, report } = fakeLibrary();
    const { events } = tracked(webVitalsAttribution({ library }));
    report('LCP', 1800, { attribution: { target: 'main>img.hero' } });
    report('CLS', 0.2, { attribution: { largestShiftTarget: 'div#banner' } });
    report('INP', 300, { attribution: { interactionTarget: 'button.add' } });
    report('TTFB', 100, { attribution: { waitingDuration: 3 } });
    expect(events.map((e) => e.props.target)).toEqual(['main>img.hero', 'div#banner', 'button.add', undefined]);
    expect(events[0].props).toMatchObject({ name: 'LCP', value: 1800, rating: 'good', id: 'v5-LCP-1' });
  });

  it('finds no target on a metric without attribution', () => {
    expect(vitalTarget({ name: 'FCP', value: 1 } as Metric)).toBeUndefined();
  });
});
