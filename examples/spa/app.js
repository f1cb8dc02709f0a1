// The SPA: crumbtrail imported as the npm module (without a bundler, the page's import map points
// 'crumbtrail' at the ESM build), and a tiny client-side router on history.pushState. pageViews()
// sees each route change as a page view (it watches pushState and popstate), dwellTime() measures
// each, videoEngagement() finds the product video when the route renders it, webVitals() reports
// the document's vitals.
import { createTracker, dwellTime, pageViews, videoEngagement, webVitals } from 'crumbtrail';

const tracker = createTracker({
  collector: '/v1/batch',
  plugins: [pageViews(), dwellTime(), videoEngagement(), webVitals()],
});
window.tracker = tracker; // for the console: tracker.status(), tracker.flush()

const view = document.getElementById('view');
const money = (n) => '€' + n.toFixed(2);
const clone = (id) => document.getElementById(id).content.cloneNode(true);
// catalog.js is a classic deferred script: it ran before this module.
const catalog = () => window.shopCatalog;

const cart = {
  read() {
    try {
      return JSON.parse(localStorage.getItem('shop-cart')) || [];
    } catch {
      return [];
    }
  },
  write(items) {
    localStorage.setItem('shop-cart', JSON.stringify(items));
    showCount();
  },
};
function showCount() {
  const n = cart.read().reduce((sum, item) => sum + item.qty, 0);
  for (const el of document.querySelectorAll('[data-cart-count]')) {
    el.textContent = n;
    el.hidden = !n;
  }
}

const routes = [
  [/^\/spa\/?$/, home],
  [/^\/spa\/product\/([\w-]+)$/, product],
  [/^\/spa\/cart$/, cartPage],
  [/^\/spa\/signup$/, signup],
];

function render() {
  const path = location.pathname;
  for (const [pattern, page] of routes) {
    const match = pattern.exec(path);
    if (match) return page(...match.slice(1));
  }
  document.title = 'Not found · Fernway Outfitters';
  view.replaceChildren(clone('missing'));
}

function home() {
  document.title = 'Fernway Outfitters · Trail and city shoes';
  const page = clone('home');
  const grid = page.querySelector('[data-grid]');
  for (const [sku, p] of Object.entries(catalog())) {
    const card = clone('card');
    card.querySelector('a').href = `/spa/product/${sku}`;
    card.querySelector('img').src = `/img/${sku}.svg`;
    card.querySelector('strong').textContent = p.name;
    card.querySelector('.muted').textContent = p.tagline;
    card.querySelector('.price').textContent = money(p.price);
    grid.append(card);
  }
  view.replaceChildren(page);
}

function product(sku) {
  const p = catalog()[sku];
  if (!p) return view.replaceChildren(clone('missing'));
  document.title = `${p.name} · Fernway Outfitters`;
  const page = clone('product');
  const $ = (sel) => page.querySelector(sel);
  $('[data-name]').textContent = p.name;
  $('[data-tagline]').textContent = p.tagline;
  $('[data-price]').textContent = money(p.price);
  $('[data-about]').textContent = p.about;
  $('[data-picture]').src = `/img/${sku}.svg`;
  $('[data-picture]').alt = p.name;
  const video = $('video');
  video.dataset.crumbtrailVideoId = `${sku}-spin`;
  video.dataset.crumbtrailTitle = `${p.name} spin`;
  video.poster = `/img/${sku}.svg`;
  video.src = p.video;
  const added = $('[data-added]');
  $('[data-add]').addEventListener('click', () => {
    const items = cart.read();
    const line = items.find((i) => i.sku === sku && i.size === '42');
    if (line) line.qty++;
    else items.push({ sku, size: '42', qty: 1 });
    cart.write(items);
    tracker.track('add_to_cart', { sku, size: '42', price: p.price });
    added.hidden = false;
  });
  view.replaceChildren(page);
}

function cartPage() {
  document.title = 'Your cart · Fernway Outfitters';
  const page = clone('cart');
  view.replaceChildren(page);
  const list = view.querySelector('[data-cart]');
  const draw = () => {
    const items = cart.read();
    let total = 0;
    list.replaceChildren(
      ...items.map((line, i) => {
        const p = catalog()[line.sku];
        total += p.price * line.qty;
        const row = document.createElement('li');
        row.className = 'line';
        const img = document.createElement('img');
        img.src = `/img/${line.sku}.svg`;
        img.alt = '';
        const text = document.createElement('div');
        const name = document.createElement('strong');
        name.textContent = p.name;
        const meta = document.createElement('span');
        meta.className = 'muted';
        meta.textContent = `Size ${line.size} · ${line.qty} × ${money(p.price)}`;
        text.append(name, meta);
        const remove = document.createElement('button');
        remove.className = 'link';
        remove.textContent = 'Remove';
        remove.addEventListener('click', () => {
          items.splice(i, 1);
          cart.write(items);
          tracker.track('remove_from_cart', { sku: line.sku });
          draw();
        });
        row.append(img, text, remove);
        return row;
      }),
    );
    view.querySelector('[data-total]').textContent = money(total);
    view.querySelector('[data-empty]').hidden = items.length > 0;
    view.querySelector('[data-checkout]').disabled = !items.length;
  };
  draw();
  view.querySelector('[data-checkout]').addEventListener('click', () => {
    const items = cart.read();
    tracker.track('checkout_started', { items: items.length, total: items.reduce((s, l) => s + catalog()[l.sku].price * l.qty, 0) });
    view.querySelector('[data-checkout-done]').hidden = false;
  });
}

function signup() {
  document.title = 'Join the club · Fernway Outfitters';
  view.replaceChildren(clone('signup'));
  const form = view.querySelector('[data-signup]');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = localStorage.getItem('shop-member') || `member-${Math.random().toString(36).slice(2, 10)}`;
    localStorage.setItem('shop-member', id);
    // The name and e-mail stay in the shop: the trail gets the member id and the plan only.
    tracker.identify(id, { plan: form.plan.value, newsletter: form.newsletter.checked });
    tracker.track('sign_up', { plan: form.plan.value });
    form.hidden = true;
    view.querySelector('[data-welcome]').hidden = false;
    view.querySelector('[data-member]').textContent = id;
  });
}

// Links marked data-link change the route without loading a document.
document.addEventListener('click', (event) => {
  const link = event.target.closest?.('a[data-link]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  if (link.pathname !== location.pathname) history.pushState(null, '', link.pathname);
  render();
  scrollTo(0, 0);
});
addEventListener('popstate', render);
showCount();
render();
