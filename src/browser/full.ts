// Script-tag entry of the full build: every plugin, each enabled by its name in data-plugins.
import { boot } from './script';
import { webVitals } from '../plugins/web-vitals';
import { videoEngagement } from '../plugins/video';
import { pageViews } from '../plugins/page-views';
import { dwellTime } from '../plugins/dwell-time';
import { couponUi } from '../plugins/coupon-ui';
import { geofences } from '../plugins/geofences';

boot({
  vitals: () => webVitals(),
  video: () => videoEngagement(),
  pageviews: () => pageViews(),
  dwell: () => dwellTime(),
  geofences: (d) => geofences({ fencesUrl: d.geofences! }),
  coupons: (d) => couponUi({ linkText: d.couponLinkText, closeLabel: d.couponCloseLabel, codeLabel: d.couponCodeLabel }),
});
