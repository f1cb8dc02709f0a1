import { describe, expect, it } from 'vitest';
import type { VitalName, VitalsLibrary, WebVitalsOptions } from '../../src/plugins/web-vitals';
import { webVitalsAttribution } from '../../src/plugins/web-vitals-attribution';
import { onWebVital, webVitals } from '../../src/plugins/web-vitals-options';

describe('webVitals() and onWebVital() options', () => {
  it('names a metric the library does not have, and metrics that are no array', () => {
    expect(() => webVitals({ metrics: ['LCP', 'FID' as VitalName] })).toThrow(
      'crumbtrail: webVitals option "metrics" has "FID"; allowed: LCP, INP, CLS, FCP, TTFB',
    );
    expect(() => webVitals({ metrics: 'LCP' as unknown as VitalName[] })).toThrow(
      'crumbtrail: webVitals option "metrics" is "LCP"; allowed: an array of LCP, INP, CLS, FCP, TTFB',
    );
    expect(() => onWebVital(() => {}, { metrics: [42 as unknown as VitalName] })).toThrow('webVitals option "metrics" has 42');
  });

  it('throws for an unknown option, suggesting the one meant, rather than reporting every metric', () => {
    expect(() => webVitals({ metric: ['LCP'] } as WebVitalsOptions)).toThrow(
      'crumbtrail: webVitals option "metric": no such option; did you mean "metrics"? Options are metrics, library',
    );
    expect(() => webVitalsAttribution({ metrcis: ['LCP'] } as WebVitalsOptions)).toThrow('did you mean "metrics"?');
  });

  it('throws a clear error for options that are no object, and a library without the five reporters', () => {
    expect(() => webVitals(null as unknown as WebVitalsOptions)).toThrow('crumbtrail: webVitals options are null; allowed: an object');
    expect(() => webVitals(['LCP'] as unknown as WebVitalsOptions)).toThrow('webVitals options are an array');
    expect(() => webVitals({ library: { onLCP() {} } as unknown as VitalsLibrary })).toThrow(
      'crumbtrail: webVitals option "library" is an object; allowed: an object with onLCP, onINP, onCLS, onFCP and onTTFB',
    );
  });

  it('takes the options it knows, and none', () => {
    expect(() => webVitals()).not.toThrow();
    expect(() => webVitals({ metrics: ['LCP', 'CLS'], library: undefined })).not.toThrow();
  });
});
