// Behaviour of the static storefront: cart in localStorage, product details, sign-up. Every
// crumbtrail call goes through crumbtrail.push([...]), which works before and after the SDK loads.
(function () {
  var catalog = window.shopCatalog;
  var track = function () {
    window.crumbtrail.push([].slice.call(arguments));
  };
  var $ = function (sel) {
    return document.querySelector(sel);
  };
  var money = function (n) {
    return '€' + n.toFixed(2);
  };

  var cart = {
    read: function () {
      try {
        return JSON.parse(localStorage.getItem('shop-cart')) || [];
      } catch (e) {
        return [];
      }
    },
    write: function (items) {
      localStorage.setItem('shop-cart', JSON.stringify(items));
      showCount();
    },
  };
  function showCount() {
    var n = cart.read().reduce(function (sum, item) { return sum + item.qty; }, 0);
    document.querySelectorAll('[data-cart-count]').forEach(function (el) {
      el.textContent = n;
      el.hidden = !n;
    });
  }
  showCount();

  // Product page: product.html?sku=trail-runner
  var product = $('[data-product]');
  if (product) {
    var sku = new URLSearchParams(location.search).get('sku');
    var item = catalog[sku] ? sku : 'trail-runner';
    var p = catalog[item];
    $('[data-name]').textContent = p.name;
    $('[data-price]').textContent = money(p.price);
    $('[data-tagline]').textContent = p.tagline;
    $('[data-about]').textContent = p.about;
    $('[data-picture]').src = '/img/' + item + '.svg';
    $('[data-picture]').alt = p.name;
    var video = $('video');
    video.poster = '/img/' + item + '.svg';
    video.dataset.crumbtrailVideoId = item + '-spin';
    video.dataset.crumbtrailTitle = p.name + ' spin';
    var size = '42';
    document.querySelectorAll('[data-size]').forEach(function (button) {
      button.addEventListener('click', function () {
        document.querySelectorAll('[data-size]').forEach(function (b) { b.setAttribute('aria-pressed', b === button); });
        size = button.dataset.size;
      });
    });
    $('[data-add]').addEventListener('click', function () {
      var items = cart.read();
      var line = items.find(function (i) { return i.sku === item && i.size === size; });
      if (line) line.qty++;
      else items.push({ sku: item, size: size, qty: 1 });
      cart.write(items);
      track('track', 'add_to_cart', { sku: item, size: size, price: p.price });
      $('[data-added]').hidden = false;
    });
  }

  // Cart page
  var list = $('[data-cart]');
  if (list) {
    var render = function () {
      var items = cart.read();
      list.textContent = '';
      var total = 0;
      items.forEach(function (line, i) {
        var p = catalog[line.sku];
        total += p.price * line.qty;
        var row = document.createElement('li');
        row.className = 'line';
        var img = document.createElement('img');
        img.src = '/img/' + line.sku + '.svg';
        img.alt = '';
        var text = document.createElement('div');
        text.innerHTML = '<strong></strong><span class="muted"></span>';
        text.firstChild.textContent = p.name;
        text.lastChild.textContent = 'Size ' + line.size + ' · ' + line.qty + ' × ' + money(p.price);
        var remove = document.createElement('button');
        remove.className = 'link';
        remove.textContent = 'Remove';
        remove.addEventListener('click', function () {
          items.splice(i, 1);
          cart.write(items);
          track('track', 'remove_from_cart', { sku: line.sku });
          render();
        });
        row.append(img, text, remove);
        list.append(row);
      });
      $('[data-total]').textContent = money(total);
      $('[data-empty]').hidden = items.length > 0;
      $('[data-checkout]').disabled = !items.length;
    };
    render();
    $('[data-checkout]').addEventListener('click', function () {
      var items = cart.read();
      var total = items.reduce(function (s, l) { return s + catalog[l.sku].price * l.qty; }, 0);
      track('track', 'checkout_started', { items: items.length, total: total });
      $('[data-checkout-done]').hidden = false;
    });
  }

  // Sign-up: identify the visitor by a member id. The name and e-mail stay in the shop: they are
  // personal data and the trail does not need them.
  var form = $('[data-signup]');
  if (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var id = localStorage.getItem('shop-member') || 'member-' + Math.random().toString(36).slice(2, 10);
      localStorage.setItem('shop-member', id);
      track('identify', id, { plan: form.plan.value, newsletter: form.newsletter.checked });
      track('track', 'sign_up', { plan: form.plan.value });
      form.hidden = true;
      $('[data-welcome]').hidden = false;
      $('[data-member]').textContent = id;
    });
  }
})();
