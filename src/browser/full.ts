// Script-tag entry of the full build: every plugin, each enabled by its name in data-plugins.
import { boot } from './script';
import { webVitals } from '../plugins/web-vitals';
import { couponUi } from '../plugins/coupon-ui';

boot({
  vitals: () => webVitals(),
  coupons: (d) => couponUi({ linkText: d.couponLinkText, closeLabel: d.couponCloseLabel, codeLabel: d.couponCodeLabel }),
});
