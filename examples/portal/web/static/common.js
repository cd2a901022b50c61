// What the portal and the console share: the JSON API, passkeys, the
// confirmation dialog, messages and the users view. The DOM is built with
// textContent only; nothing from data is parsed as markup.

let signInPath = '';

// setSignIn names the page to go to when the session has ended.
export function setSignIn(path) { signInPath = path; }

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = 0) {
    super(message);
    this.status = status;
    this.code = code;
    // retryAfter is the seconds a 429 asks to wait (0: not said).
    this.retryAfter = retryAfter;
  }
}

// api calls the JSON API on this origin; the session cookie goes along.
// It returns the decoded answer (null for 204) or throws an ApiError.
export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    if (res.status === 401 && e.code === 'unauthenticated' && signInPath) {
      location.assign(signInPath);
    }
    throw new ApiError(res.status, e.code || 'error', e.message || `The request failed (${res.status}).`,
      Number.parseInt(res.headers.get('Retry-After') || '0', 10) || 0);
  }
  return data;
}

// wait says how long a 429 asks to wait.
function wait(err) {
  const mins = Math.ceil(err.retryAfter / 60);
  return mins > 1 ? `Too many attempts. Try again in ${mins} minutes.` : 'Too many attempts. Wait a minute, then try again.';
}

// weak says why a new password was refused.
function weak(err) {
  if (/common/i.test(err.message)) return 'That password is too common. Choose another: a few unrelated words make a strong one.';
  if (/longer than/i.test(err.message)) return 'That password is too long. Choose a shorter one.';
  return 'Choose a longer password: at least 8 characters.';
}

// friendly is what to say for each error code: a text, or a function of
// the ApiError.
const friendly = {
  invalid_credentials: 'That email and password do not match.',
  rate_limited: wait,
  passkey_failed: 'The passkey could not be verified. Try again.',
  sign_in_required: 'Sign in to accept: enter your password, or use a passkey.',
  reauth_required: 'Confirm it\'s you first.',
  already_member: 'This person is already a member.',
  pending_invitation: 'This email already has a pending invitation. Resend it from the list.',
  last_admin: 'Every client needs at least one active Admin.',
  weak_password: weak,
  invalid_email: 'Enter a valid email address.',
  has_account: 'You already have an account. Reload the page to accept with it.',
  client_required: 'This email belongs to several teams. Use the invitation link of the one you want.',
  expired: 'This invitation has expired. Reload the page for details.',
  cancelled: 'This invitation was cancelled. Reload the page for details.',
  replaced: 'A newer invitation was sent. Use the link in the latest email.',
  used: 'This invitation was already used. Sign in instead.',
  forbidden: 'You are not allowed to do that.',
  unauthenticated: 'Your session has ended. Sign in again.',
};

// message is what to tell the user about err; overrides, keyed by error
// code, say it better for one form.
export function message(err, overrides = {}) {
  if (err instanceof ApiError) {
    const say = overrides[err.code] || friendly[err.code];
    if (typeof say === 'function') return say(err);
    if (say) return say;
    const m = err.message.replace(/^[a-z]+: /, '');
    return m.charAt(0).toUpperCase() + m.slice(1);
  }
  if (err && (err.name === 'NotAllowedError' || err.name === 'AbortError')) {
    return 'The passkey request was cancelled or timed out.';
  }
  if (err && err.name === 'InvalidStateError') return 'This device already has a passkey for this account.';
  if (err && err.userMessage) return err.userMessage;
  return 'Something went wrong. Try again.';
}

// showError shows err in el (a [role=alert] paragraph); null hides it.
export function showError(el, err, overrides) {
  if (!el) return;
  el.textContent = err ? message(err, overrides) : '';
  el.hidden = !err;
}

// say shows a text of the page's own in el (a [role=alert] paragraph).
export function say(el, text) {
  el.textContent = text;
  el.hidden = false;
}

// invalid marks input as holding a wrong value (aria-invalid) and moves
// focus to it, its text selected; the mark goes when the user types.
export function invalid(input) {
  input.setAttribute('aria-invalid', 'true');
  input.addEventListener('input', () => input.removeAttribute('aria-invalid'), { once: true });
  input.focus();
  input.select();
}

let toastTimer;
// toast shows a short message at the bottom of the screen.
export function toast(text, isError = false) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.classList.toggle('error', isError);
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
}

// busy disables button while fn runs; errors go to errEl, said with
// overrides (see message).
export async function busy(button, errEl, fn, overrides) {
  button.disabled = true;
  showError(errEl, null);
  try {
    await fn();
  } catch (err) {
    showError(errEl, err, overrides);
  } finally {
    button.disabled = false;
  }
}

// confirmDialog asks a question in the page's <dialog>; it resolves to
// true when the user confirms.
export function confirmDialog({ title, text, confirm = 'Confirm', danger = false }) {
  const d = document.getElementById('confirm');
  d.querySelector('[data-confirm-title]').textContent = title;
  d.querySelector('[data-confirm-message]').textContent = text;
  const ok = d.querySelector('[data-confirm-ok]');
  ok.textContent = confirm;
  ok.classList.toggle('danger', danger);
  ok.classList.toggle('primary', !danger);
  d.returnValue = '';
  return new Promise((resolve) => {
    d.addEventListener('close', () => resolve(d.returnValue === 'ok'), { once: true });
    d.showModal();
  });
}

// h builds an element: h('td', {class: 'x', dataset: {k: 'v'}}, child...).
// Strings become text nodes.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) el.append(c);
  }
  return el;
}

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const units = [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60]];

// relative says when iso is from now: "5 minutes ago", "in 7 days".
export function relative(iso) {
  const secs = (new Date(iso).getTime() - Date.now()) / 1000;
  for (const [unit, size] of units) {
    if (Math.abs(secs) >= size) return rtf.format(Math.round(secs / size), unit);
  }
  return secs < 0 ? 'just now' : 'in a moment';
}

export function fullDate(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export const roleLabel = (r) => (r === 'admin' ? 'Admin' : r === 'member' ? 'Member' : r);

// A logo that fails to load is hidden rather than shown broken.
for (const img of document.querySelectorAll('img.brand-logo')) {
  const hide = () => { img.hidden = true; };
  img.addEventListener('error', hide);
  if (img.complete && img.getAttribute('src') && img.naturalWidth === 0) hide();
}

// Sign-out buttons: data-signout is the endpoint, data-next the page after.
document.addEventListener('click', async (ev) => {
  const b = ev.target.closest('[data-signout]');
  if (!b) return;
  b.disabled = true;
  try {
    await api('DELETE', b.dataset.signout);
  } finally {
    location.assign(b.dataset.next);
  }
});
