import { afterEach, describe, expect, it } from 'vitest';
import { createTracker } from '../../src/core/tracker';
import type { CrumbEvent, Tracker } from '../../src/core/types';
import { couponUi, type CouponUiOptions } from '../../src/plugins/coupon-ui';
import type { Coupon } from '../../src/plugins/geo-validate';
import { captureTransport, freshNamespace } from '../helpers';

const trackers: Tracker[] = [];
function tracked(options?: CouponUiOptions) {
  const tracker = createTracker({ transport: captureTransport().transport, storage: 'memory', namespace: freshNamespace(), plugins: [couponUi(options)] });
  trackers.push(tracker);
  const events: CrumbEvent[] = [];
  const errors: string[] = [];
  tracker.on('event', (e) => events.push(e));
  tracker.on('error', (e) => errors.push(e.message));
  const coupons = () => events.filter((e) => e.type.startsWith('coupon_')).map((e) => [e.type, e.props]);
  return { tracker, events, errors, coupons };
}
afterEach(async () => {
  await Promise.all(trackers.splice(0).map((t) => t.shutdown()));
  document.body.replaceChildren();
});

const summer: Coupon = { title: '10 % off today', text: 'Show this at the till.', code: 'SUMMER10', url: '/summer' };
const offer = (coupon: Partial<Coupon> = summer, fenceId = 'kadikoy') =>
  dispatchEvent(new CustomEvent('crumbtrail:coupon', { detail: { fence: { id: fenceId, lat: 40.99, lng: 29.03, radius: 50 }, coupon } }));
const toasts = () => [...document.querySelectorAll('crumbtrail-coupon')];
const root = () => toasts()[0]?.shadowRoot as ShadowRoot;
const dialog = () => root().querySelector('[role=dialog]') as HTMLElement;
const press = (target: Element, key: string) => target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true }));
function focusedButton() {
  const b = document.createElement('button');
  b.textContent = 'Show offers near me';
  document.body.append(b);
  b.focus();
  return b;
}

describe('couponUi()', () => {
  it('shows the title, text and code of a coupon in a dialog named by its title', () => {
    tracked();
    offer();
    expect(toasts()).toHaveLength(1);
    const d = dialog();
    const title = root().getElementById(d.getAttribute('aria-labelledby')!)!;
    expect(title.textContent).toBe('10 % off today');
    expect(root().getElementById(d.getAttribute('aria-describedby')!)!.textContent).toBe('Show this at the till.');
    expect(d.textContent).toContain('Your code: SUMMER10');
  });

  it('renders markup in coupon fields as literal text, creating no elements from it', () => {
    tracked();
    const evil = '<img src=x onerror=alert(1)>';
    offer({ title: evil, text: evil, code: evil });
    expect(root().querySelector('h2')!.textContent).toBe(evil);
    expect(root().querySelector('p')!.textContent).toBe(evil);
    expect(root().querySelector('b')!.textContent).toBe(evil);
    expect(root().querySelectorAll('img, script')).toHaveLength(0);
  });

  it('styles the toast with an adopted stylesheet, with no style attribute or style element', () => {
    tracked();
    offer();
    expect(root().adoptedStyleSheets).toHaveLength(1);
    expect(root().querySelectorAll('style, [style]')).toHaveLength(0);
    expect(toasts()[0].hasAttribute('style')).toBe(false);
  });

  it('records coupon_shown with the fence id and the coupon code', () => {
    const { coupons } = tracked();
    offer();
    expect(coupons()).toEqual([['coupon_shown', { fenceId: 'kadikoy', code: 'SUMMER10' }]]);
  });

  it('moves focus to the toast, and Escape closes it, records coupon_dismissed and gives focus back', () => {
    const { coupons } = tracked();
    const button = focusedButton();
    offer();
    expect(document.activeElement).toBe(toasts()[0]);
    expect(root().activeElement).toBe(dialog());
    press(dialog(), 'Escape');
    expect(toasts()).toHaveLength(0);
    expect(document.activeElement).toBe(button);
    expect(coupons()).toEqual([
      ['coupon_shown', { fenceId: 'kadikoy', code: 'SUMMER10' }],
      ['coupon_dismissed', { fenceId: 'kadikoy', code: 'SUMMER10' }],
    ]);
  });

  it("keeps an Escape that closed the toast from the page's own key handlers", () => {
    tracked();
    const seen: string[] = [];
    const onKey = (e: KeyboardEvent) => seen.push(e.key);
    document.addEventListener('keydown', onKey);
    offer();
    press(dialog(), 'Escape');
    document.removeEventListener('keydown', onKey);
    expect(toasts()).toHaveLength(0);
    expect(seen).toEqual([]);
  });

  it('keeps the toast open on keys other than Escape', () => {
    tracked();
    offer();
    press(dialog(), 'Enter');
    expect(toasts()).toHaveLength(1);
  });

  it('closes with the close button, which is named for assistive technology', () => {
    const { coupons } = tracked({ closeLabel: 'Kapat' });
    offer();
    const close = root().querySelector('button')!;
    expect(close.getAttribute('aria-label')).toBe('Kapat');
    close.click();
    expect(toasts()).toHaveLength(0);
    expect(coupons().map(([type]) => type)).toEqual(['coupon_shown', 'coupon_dismissed']);
  });

  it('links to the coupon url resolved against the page, records coupon_clicked and then closes', async () => {
    const { coupons } = tracked({ linkText: 'Kuponu gör' });
    offer();
    const link = root().querySelector('a')!;
    expect(link.textContent).toBe('Kuponu gör');
    expect(link.href).toBe(new URL('/summer', location.href).href);
    // The test page stays where it is.
    link.addEventListener('click', (e) => e.preventDefault());
    link.click();
    await new Promise((ok) => setTimeout(ok));
    expect(toasts()).toHaveLength(0);
    expect(coupons().map(([type]) => type)).toEqual(['coupon_shown', 'coupon_clicked']);
  });

  it('shows no link for a url that is not http or https', () => {
    tracked();
    offer({ ...summer, url: 'javascript:alert(1)' });
    offer({ ...summer, url: 'data:text/html,<script>alert(1)</script>' }, 'moda');
    expect(root().querySelector('a')).toBeNull();
    press(dialog(), 'Escape');
    expect(root().querySelector('a')).toBeNull();
  });

  it('leaves out the parts a coupon does not have', () => {
    const { coupons } = tracked();
    offer({ title: 'Free coffee' });
    expect(dialog().textContent).toBe('×Free coffee');
    expect(dialog().hasAttribute('aria-describedby')).toBe(false);
    expect(coupons()).toEqual([['coupon_shown', { fenceId: 'kadikoy' }]]);
  });

  it('shows a coupon that arrives while another is open after that one closes', () => {
    const { coupons } = tracked();
    const button = focusedButton();
    offer();
    offer({ title: 'Second', code: 'TWO' }, 'moda');
    expect(toasts()).toHaveLength(1);
    press(dialog(), 'Escape');
    expect(toasts()).toHaveLength(1);
    expect(dialog().textContent).toContain('Second');
    expect(root().activeElement).toBe(dialog());
    press(dialog(), 'Escape');
    expect(toasts()).toHaveLength(0);
    expect(document.activeElement).toBe(button);
    expect(coupons()).toEqual([
      ['coupon_shown', { fenceId: 'kadikoy', code: 'SUMMER10' }],
      ['coupon_dismissed', { fenceId: 'kadikoy', code: 'SUMMER10' }],
      ['coupon_shown', { fenceId: 'moda', code: 'TWO' }],
      ['coupon_dismissed', { fenceId: 'moda', code: 'TWO' }],
    ]);
  });

  it('keeps the open toast when the page re-renders its body, and shows the coupon waiting behind it next', () => {
    const { coupons } = tracked();
    offer();
    offer({ title: 'Second' }, 'moda');
    document.body.replaceChildren();
    expect(toasts()).toHaveLength(1);
    expect(dialog().textContent).toContain('10 % off today');
    press(dialog(), 'Escape');
    expect(dialog().textContent).toContain('Second');
    expect(coupons().map(([type]) => type)).toEqual(['coupon_shown', 'coupon_dismissed', 'coupon_shown']);
  });

  it('shows the next coupon when the page threw the open toast away', () => {
    tracked();
    offer();
    toasts()[0]!.remove();
    offer({ title: 'Second' }, 'moda');
    expect(toasts()).toHaveLength(1);
    expect(dialog().textContent).toContain('Second');
  });

  it('reports a crumbtrail:coupon event without a coupon title and shows nothing', () => {
    const { errors, coupons } = tracked();
    dispatchEvent(new CustomEvent('crumbtrail:coupon', { detail: { coupon: { text: 'no title' } } }));
    dispatchEvent(new CustomEvent('crumbtrail:coupon'));
    expect(toasts()).toHaveLength(0);
    expect(coupons()).toEqual([]);
    expect(errors).toEqual([
      'crumbtrail: couponUi: crumbtrail:coupon needs detail { fence, coupon: { title } }, got an object',
      'crumbtrail: couponUi: crumbtrail:coupon needs detail { fence, coupon: { title } }, got null',
    ]);
  });

  it('removes the toast and stops listening on shutdown, giving focus back', async () => {
    const { tracker, coupons } = tracked();
    const button = focusedButton();
    offer();
    await tracker.shutdown();
    expect(toasts()).toHaveLength(0);
    expect(document.activeElement).toBe(button);
    offer();
    expect(toasts()).toHaveLength(0);
    expect(coupons().map(([type]) => type)).toEqual(['coupon_shown']);
  });

  it('throws a clear error for a bad option at call time', () => {
    expect(() => couponUi({ linkText: '' })).toThrow('crumbtrail: couponUi() option "linkText" is ""; it must be text of 1 to 100 characters');
    expect(() => couponUi({ closeLabel: 5 } as unknown as CouponUiOptions)).toThrow('crumbtrail: couponUi() option "closeLabel" is 5; it must be text of 1 to 100 characters');
    expect(() => couponUi({ linkTxt: 'Go' } as CouponUiOptions)).toThrow(
      'crumbtrail: couponUi() option "linkTxt" is "Go"; no such option; options are linkText, closeLabel, codeLabel',
    );
  });
});
