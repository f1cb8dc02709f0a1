import { configError, show } from '../core/errors';
import type { Plugin, Props } from '../core/types';
import type { Coupon, Fence } from './geo-validate';

/** The toast's words, for sites in other languages. Each is plain text of 1 to 100 characters. */
export interface CouponUiOptions {
  /**
   * Text of the link to the coupon's `url`.
   * @default 'See the offer'
   */
  linkText?: string;
  /**
   * Accessible name of the close button (which shows ×).
   * @default 'Close'
   */
  closeLabel?: string;
  /**
   * Words before the coupon's code.
   * @default 'Your code:'
   */
  codeLabel?: string;
}

/**
 * `detail` of the `crumbtrail:coupon` DOM event that the geofences plugin dispatches on window.
 *
 * @example
 * addEventListener('crumbtrail:coupon', (e) => console.log((e as CustomEvent<CouponDetail>).detail.coupon.title));
 */
export interface CouponDetail {
  fence: Fence;
  coupon: Coupon;
}

const WORDS: Required<CouponUiOptions> = { linkText: 'See the offer', closeLabel: 'Close', codeLabel: 'Your code:' };

// Hand-minified: terser leaves strings alone. `all:initial` keeps the page's inherited styles
// (text-align, letter-spacing, …) out; custom properties still inherit through it. With left,
// right and a max-width the box sits at the bottom right on wide screens and spans narrow ones.
// The transparent (#0000) border is the toast's edge in forced colors, which drop the shadow
// and paint the box in the page's background.
const CSS =
  ':host{all:initial}' +
  '.t{position:fixed;z-index:var(--crumbtrail-coupon-z,2147483000);left:16px;right:16px;bottom:16px;margin-left:auto;box-sizing:border-box;' +
  'max-width:var(--crumbtrail-coupon-width,380px);padding:16px 48px 16px 16px;border:1px solid #0000;border-radius:var(--crumbtrail-coupon-radius,12px);' +
  'background:var(--crumbtrail-coupon-bg,#fff);color:var(--crumbtrail-coupon-fg,#1f2328);font:var(--crumbtrail-coupon-font,15px/1.45 system-ui,sans-serif);' +
  'box-shadow:var(--crumbtrail-coupon-shadow,0 8px 30px #0004);overflow-wrap:anywhere}' +
  '.t:focus-visible{outline:2px solid var(--crumbtrail-coupon-accent,#0b57d0)}' +
  'h2{margin:0 0 4px;font-size:1.15em}p{margin:0 0 10px}b{font-family:ui-monospace,monospace;user-select:all}' +
  'a{display:inline-block;padding:8px 16px;border-radius:99px;background:var(--crumbtrail-coupon-accent,#0b57d0);' +
  'color:var(--crumbtrail-coupon-accent-fg,#fff);font-weight:600;text-decoration:none}' +
  'button{position:absolute;top:4px;right:4px;width:44px;height:44px;border:0;background:none;color:inherit;font:24px/1 sans-serif;cursor:pointer}';

/**
 * Shows the coupons of the geofences plugin itself: on each `crumbtrail:coupon` event, a toast
 * (a non-modal `role="dialog"` named by the coupon's title) with the title, text, code and a link
 * to the coupon's `url` (http and https only). Focus moves to the toast and back when it closes;
 * Escape or the close button closes it. Coupon fields are set as text, never as HTML. It lives
 * in a shadow root styled by a constructable stylesheet, so a strict CSP (`style-src 'self'`)
 * allows it, and the page themes it with the `--crumbtrail-coupon-*` custom properties. Records
 * `coupon_shown`, `coupon_clicked` and `coupon_dismissed` with `{ fenceId, code }`. Coupons that
 * arrive while one is open wait their turn. In the script tag: `data-plugins="geofences,coupons"`.
 *
 * @example
 * createTracker({ collector: '/v1/batch', plugins: [geofences({ fencesUrl: '/fences.json' }), couponUi({ linkText: 'Kuponu gör' })] });
 */
export function couponUi(options: CouponUiOptions = {}): Plugin {
  const words = { ...WORDS };
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    if (!(k in WORDS) || typeof v != 'string' || !v || v.length > 100) {
      throw configError(`couponUi() option "${k}" is ${show(v)}; ${k in WORDS ? 'it must be text of 1 to 100 characters' : 'no such option; options are ' + Object.keys(WORDS).join(', ')}`);
    }
    words[k as keyof CouponUiOptions] = v;
  }
  return {
    name: 'couponUi',
    setup(tracker) {
      const d = document;
      const waiting: CouponDetail[] = [];
      let host: HTMLElement | undefined;
      let current: CouponDetail;
      let back: HTMLElement | null;
      let sheet: CSSStyleSheet | undefined;

      const emit = (type: string) => tracker.emit(type, { fenceId: current.fence?.id, code: current.coupon.code } as Props);
      const el = <K extends keyof HTMLElementTagNameMap>(tag: K, parent: Node, text?: unknown) => {
        const e = d.createElement(tag);
        if (text != null) e.textContent = String(text);
        parent.appendChild(e);
        return e;
      };
      const close = (type?: string) => {
        if (!host) return;
        if (type) emit(type);
        const focused = d.activeElement == host;
        host.remove();
        host = undefined;
        if (waiting.length) open();
        // Only when focus is still in the toast: a visitor who clicked elsewhere keeps their place.
        else if (focused) back?.focus();
      };
      const open = () => {
        try {
          render();
        } catch (err) {
          host?.remove();
          host = undefined;
          tracker.report(err);
        }
      };
      const render = () => {
        current = waiting.shift()!;
        const { title, text, code, url } = current.coupon;
        host = d.createElement('crumbtrail-coupon');
        const root = host.attachShadow({ mode: 'open' });
        try {
          if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(CSS);
          root.adoptedStyleSheets = [sheet];
        } catch {
          // Safari before 16.4 has no constructable stylesheets: a style element works there
          // unless a strict CSP blocks it, and then the toast is plain but still usable.
          el('style', root, CSS);
        }
        const box = el('div', root);
        box.className = 't';
        box.tabIndex = -1;
        box.setAttribute('role', 'dialog');
        box.setAttribute('aria-labelledby', 'h');
        const x = el('button', box, '×');
        x.setAttribute('aria-label', words.closeLabel);
        x.onclick = () => close('coupon_dismissed');
        el('h2', box, title).id = 'h';
        if (text != null) {
          el('p', box, text).id = 'd';
          box.setAttribute('aria-describedby', 'd');
        }
        if (code != null) el('b', el('p', box, words.codeLabel + ' '), code);
        let href = '';
        try {
          const u = new URL(url!, location.href);
          if (typeof url == 'string' && /^https?:$/.test(u.protocol)) href = u.href;
        } catch {}
        if (href) {
          const a = el('a', box, words.linkText);
          a.href = href;
          // Removing the link at once would cancel its navigation: close after it started.
          a.onclick = () => {
            emit('coupon_clicked');
            setTimeout(close);
          };
        }
        box.onkeydown = (e) => {
          if (e.key == 'Escape') {
            e.stopPropagation();
            close('coupon_dismissed');
          }
        };
        // Beside the body, not in it: a page that re-renders its body does not throw the toast away.
        d.documentElement.appendChild(host);
        box.focus();
        emit('coupon_shown');
      };
      const onCoupon = (e: Event) => {
        const detail = (e as CustomEvent<CouponDetail>).detail;
        if (typeof detail?.coupon?.title != 'string') {
          return tracker.report(`couponUi: crumbtrail:coupon needs detail { fence, coupon: { title } }, got ${show(detail)}`);
        }
        waiting.push(detail);
        // A page that re-renders its body may have thrown the toast away with it.
        if (!host?.isConnected) {
          back = d.activeElement as HTMLElement | null;
          open();
        }
      };

      addEventListener('crumbtrail:coupon', onCoupon);
      return () => {
        removeEventListener('crumbtrail:coupon', onCoupon);
        waiting.length = 0;
        close();
      };
    },
  };
}
