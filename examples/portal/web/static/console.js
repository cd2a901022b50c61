// The agency console: token sign-in, clients, a client's users and
// permissions, and the branding with its live preview. The page's body
// names which part runs (data-page).
import { api, busy, h, message, setSignIn, showError, toast } from './common.js';
import { initUsers } from './users.js';

const permissionLabels = { view_reports: 'Reports', manage_billing: 'Billing', export_data: 'Data export' };

function signIn() {
  const form = document.querySelector('[data-console-signin]');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = form.elements.token.value.trim();
    const err = form.querySelector('[data-error]');
    if (!token) {
      err.textContent = 'Enter the agency token.';
      err.hidden = false;
      return;
    }
    busy(form.querySelector('button[type=submit]'), err, async () => {
      await api('POST', '/api/v1/agency/session', { token });
      location.assign('/console');
    });
  });
}

async function clients() {
  const body = document.querySelector('[data-clients]');
  const empty = document.querySelector('[data-empty]');
  const more = document.querySelector('[data-more]');
  let list = [];
  let next = '';
  const row = (c) => {
    const href = `/console/clients/${encodeURIComponent(c.id)}`;
    const chips = c.permissions.length
      ? h('span', { class: 'chips' }, c.permissions.map((p) => h('span', { class: 'chip', text: permissionLabels[p] || p })))
      : h('span', { class: 'muted', text: 'None yet' });
    return h('tr', { dataset: { client: c.id } },
      h('td', { class: 'who' }, h('strong', {}, h('a', { href, text: c.name }))),
      h('td', { dataset: { label: 'Features' } }, chips),
      h('td', { class: 'actions' }, h('a', { class: 'btn small', href, text: 'Manage', 'aria-label': `Manage ${c.name}` })));
  };
  const load = async (reset = true) => {
    const q = new URLSearchParams({ limit: '50' });
    if (!reset && next) q.set('cursor', next);
    const page = await api('GET', `/api/v1/clients?${q}`);
    list = reset ? page.clients : list.concat(page.clients);
    next = page.next || '';
    body.replaceChildren(...list.map(row));
    empty.hidden = list.length > 0;
    more.hidden = !next;
  };
  more.addEventListener('click', () => busy(more, null, () => load(false)));

  const form = document.querySelector('[data-new-client]');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = form.elements.name.value.trim();
    const err = form.querySelector('[data-error]');
    if (!name) {
      err.textContent = 'Enter the client\'s name.';
      err.hidden = false;
      return;
    }
    busy(form.querySelector('button[type=submit]'), err, async () => {
      const c = await api('POST', '/api/v1/clients', { name });
      location.assign(`/console/clients/${encodeURIComponent(c.id)}`);
    });
  });
  await load();
}

function permissions() {
  const form = document.querySelector('[data-permissions]');
  const err = form.querySelector('[data-error]');
  const boxes = [...form.querySelectorAll('input[name=permission]')];
  form.addEventListener('submit', (ev) => ev.preventDefault());
  for (const box of boxes) {
    box.addEventListener('change', async () => {
      const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
      boxes.forEach((b) => { b.disabled = true; });
      showError(err, null);
      try {
        await api('PUT', `/api/v1/clients/${encodeURIComponent(form.dataset.client)}/permissions`, { permissions: chosen });
        const label = box.closest('label').querySelector('strong').textContent;
        toast(`${label} ${box.checked ? 'turned on' : 'turned off'}.`);
        form.dataset.saved = chosen.join(',');
      } catch (e) {
        box.checked = !box.checked;
        showError(err, e);
      } finally {
        boxes.forEach((b) => { b.disabled = false; });
      }
    });
  }
}

// inkOn is white or near-black, whichever reads better on hex.
function inkOn(hex) {
  const n = parseInt(hex.slice(1), 16);
  const lum = [16, 8, 0].map((s, i) => {
    let c = ((n >> s) & 0xff) / 255;
    c = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return c * [0.2126, 0.7152, 0.0722][i];
  }).reduce((a, b) => a + b, 0);
  return 1.05 / (lum + 0.05) >= (lum + 0.05) / 0.05 ? '#ffffff' : '#111827';
}

const isColor = (s) => /^#[0-9a-fA-F]{6}$/.test(s);
const isURL = (s) => /^https?:\/\/[^\s]+$/i.test(s);

function branding() {
  const form = document.querySelector('[data-branding]');
  const preview = document.querySelector('[data-preview]');
  const logo = preview.querySelector('[data-preview-logo]');
  const f = form.elements;
  const pick = document.getElementById('b-color-pick');
  const update = () => {
    const name = f.name.value.trim() || 'Your agency';
    preview.querySelectorAll('[data-preview-name]').forEach((el) => { el.textContent = name; });
    const color = f.primary_color.value.trim();
    if (isColor(color)) {
      preview.style.setProperty('--brand', color);
      preview.style.setProperty('--brand-ink', inkOn(color));
    }
    const domain = f.custom_domain.value.trim();
    preview.querySelector('[data-preview-url]').textContent = `Portal address: ${domain ? `https://${domain}` : location.origin}`;
  };
  // The logo loads once the address stops changing, not at each key.
  let logoTimer;
  const updateLogo = () => {
    clearTimeout(logoTimer);
    const url = f.logo_url.value.trim();
    if (!isURL(url)) {
      logo.hidden = true;
    } else if (logo.getAttribute('src') !== url) {
      logo.src = url;
    }
  };
  logo.addEventListener('load', () => { logo.hidden = false; });
  logo.addEventListener('error', () => { logo.hidden = true; });
  f.logo_url.addEventListener('input', () => { clearTimeout(logoTimer); logoTimer = setTimeout(updateLogo, 600); });
  f.logo_url.addEventListener('change', updateLogo);
  pick.addEventListener('input', () => { f.primary_color.value = pick.value; update(); });
  f.primary_color.addEventListener('input', () => {
    if (isColor(f.primary_color.value.trim())) pick.value = f.primary_color.value.trim().toLowerCase();
  });
  form.addEventListener('input', update);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = {
      name: f.name.value.trim(),
      logo_url: f.logo_url.value.trim(),
      primary_color: f.primary_color.value.trim().toLowerCase(),
      custom_domain: f.custom_domain.value.trim().toLowerCase(),
    };
    busy(form.querySelector('button[type=submit]'), form.querySelector('[data-error]'), async () => {
      await api('PUT', '/api/v1/agency/branding', body);
      location.assign('/console/branding?saved=1');
    });
  });
  update();
  if (new URLSearchParams(location.search).has('saved')) {
    toast('Branding saved.');
    history.replaceState(null, '', '/console/branding');
  }
}

const pages = {
  'console-signin': signIn,
  'console-clients': clients,
  'console-users': () => initUsers(document.querySelector('[data-users]')),
  'console-permissions': permissions,
  'console-branding': branding,
};

const page = document.body.dataset.page;
if (page !== 'console-signin') setSignIn('/console');
const run = pages[page];
if (run) {
  Promise.resolve(run()).catch((err) => toast(message(err), true));
}
