// Script-tag entry of the full build: every plugin, each enabled by its name in data-plugins.
import { boot } from './script';
import { webVitals } from '../plugins/web-vitals';

boot({
  vitals: () => webVitals(),
});
