// The store locator: lists the stores of fences.json, starts location watching only when the
// visitor presses "Show offers near me" (never on load), and shows what crumbtrail records.
// crumbtrail shows the coupons itself (data-plugins="…,coupons").
const $ = (id) => document.getElementById(id);
const button = $('near');
const status = $('status');
const STATUS = {
  idle: 'We ask for your location only when you press the button, and only this page uses it.',
  prompt: 'We ask for your location only when you press the button, and only this page uses it.',
  watching: 'Looking for offers near you. Stay on this page while you walk to a store.',
  paused: 'Paused while this page is in the background.',
  denied: 'Location is blocked for this site. Allow it in your browser’s site settings to see offers near you.',
  unavailable: 'Your position is not available right now. Try again outside or later.',
  timeout: 'Your position took too long to arrive. Try again.',
  insecure: 'Offers near you need a secure (https) page.',
};
const LABELS = {
  geofence_enter: 'arrived at',
  geofence_dwell: 'staying at',
  geofence_exit: 'left',
  coupon_shown: 'coupon shown',
  coupon_clicked: 'coupon opened',
  coupon_dismissed: 'coupon closed',
};

const names = {};

const show = (s) => {
  status.textContent = STATUS[s] || s;
  button.disabled = s === 'watching';
};

async function listStores() {
  const list = $('stores');
  try {
    const { fences } = await (await fetch('/coupons/fences.json')).json();
    list.replaceChildren(
      ...fences.map((f) => {
        names[f.id] = f.name || f.id;
        const li = document.createElement('li');
        li.dataset.fence = f.id;
        const name = document.createElement('h3');
        name.textContent = f.name || f.id;
        const here = document.createElement('span');
        here.className = 'here';
        here.textContent = 'You are here';
        name.append(' ', here);
        const offer = document.createElement('p');
        offer.textContent = f.coupon ? `Offer at the door: ${f.coupon.title}` : 'No offer right now';
        const map = document.createElement('a');
        map.href = `https://www.openstreetmap.org/?mlat=${f.lat}&mlon=${f.lng}#map=18/${f.lat}/${f.lng}`;
        map.textContent = `Map (offers within ${f.radius} m)`;
        li.append(name, offer, map);
        return li;
      }),
    );
  } catch {
    list.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'The stores could not be loaded.' }));
  }
}

function log(e) {
  if (!LABELS[e.type]) return;
  const p = e.props;
  const li = document.createElement('li');
  li.textContent = [LABELS[e.type], names[p.fenceId] || p.fenceId, p.code, p.distance !== undefined && `${p.distance} m`].filter(Boolean).join(' · ');
  $('log').prepend(li);
  const store = p.fenceId && document.querySelector(`[data-fence="${CSS.escape(p.fenceId)}"]`);
  if (store && e.type === 'geofence_enter') store.classList.add('inside');
  if (store && e.type === 'geofence_exit') store.classList.remove('inside');
}

function start(tracker) {
  const geo = tracker.geofences;
  if (!geo) return show('This build of crumbtrail has no geofences plugin.');
  tracker.on('event', log);
  show(geo.status());
  button.addEventListener('click', async () => {
    button.disabled = true;
    show(await geo.start());
  });
  document.addEventListener('visibilitychange', () => show(geo.status()));
}

// crumbtrail loads asynchronously: after it ran, window.crumbtrail is the tracker.
const tracker = () => (window.crumbtrail && !Array.isArray(window.crumbtrail) ? window.crumbtrail : null);
listStores();
if (tracker()) start(tracker());
else {
  button.disabled = true;
  $('sdk').addEventListener('load', () => tracker() && start(tracker()));
  addEventListener('load', () => tracker() || show('crumbtrail did not start: build it with npm run build, then reload.'));
}
