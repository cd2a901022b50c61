// Re-authentication. Changing how a user signs in (adding or removing a
// passkey, the password) needs a sign-in of the last few minutes; past
// that the API answers 403 reauth_required. guarded runs such a change:
// on that answer it asks the user to confirm it's them in the page's
// <dialog id="reauth"> (the password, or a passkey), runs the change once
// more, closes the dialog and gives focus back to the control that
// started it.
import { ApiError, api, busy, invalid, say, showError } from './common.js';
import * as passkey from './webauthn.js';

// Cancelled reports a confirmation the user dismissed.
class Cancelled extends Error {
  constructor() {
    super('re-authentication cancelled');
    this.name = 'ReauthCancelled';
    this.userMessage = 'Nothing was changed: confirm it\'s you to make this change.';
  }
}

const needsReauth = (err) => err instanceof ApiError && err.status === 403 && err.code === 'reauth_required';

const wrongPassword = {
  invalid_credentials: 'That password is not right. Try again, or use a passkey.',
  passkey_failed: 'That passkey could not be verified. Try again, or use your password.',
};

// confirmIdentity opens the dialog and resolves to true once the API took
// the password or passkey (the session is then a new one, signed in now),
// the dialog still open; to false when the user dismissed it, closed.
function confirmIdentity(d) {
  const form = d.querySelector('form');
  const pw = form.elements.password;
  const err = form.querySelector('[data-error]');
  const buttons = [...d.querySelectorAll('button')];
  const pkButton = d.querySelector('[data-reauth-passkey]');
  pw.value = '';
  pw.removeAttribute('aria-invalid');
  showError(err, null);
  buttons.forEach((b) => { b.disabled = false; });
  pkButton.disabled = !passkey.supported();
  d.removeAttribute('aria-busy');

  return new Promise((resolve) => {
    const stop = new AbortController();
    const on = (el, type, fn) => el.addEventListener(type, fn, { signal: stop.signal });
    let settled = false;
    const settle = (ok) => {
      if (settled) return;
      settled = true;
      stop.abort();
      if (ok) {
        buttons.forEach((b) => { b.disabled = true; }); // the change runs again now
        d.setAttribute('aria-busy', 'true');
      } else if (d.open) {
        d.close('cancel');
      }
      resolve(ok);
    };
    // proof runs one way of proving; the buttons wait meanwhile.
    const proof = async (button, fn) => {
      buttons.forEach((b) => { b.disabled = true; });
      showError(err, null);
      try {
        await fn();
        settle(true);
      } catch (e) {
        showError(err, e, wrongPassword);
        if (e instanceof ApiError && e.code === 'invalid_credentials') invalid(pw);
        else button.focus();
      } finally {
        if (!settled) {
          buttons.forEach((b) => { b.disabled = false; });
          pkButton.disabled = !passkey.supported();
        }
      }
    };
    on(form, 'submit', (ev) => {
      ev.preventDefault();
      if (!pw.value) {
        say(err, 'Enter your password, or use a passkey.');
        pw.focus();
        return;
      }
      proof(pw, () => api('POST', '/api/v1/session/reauth', { password: pw.value }));
    });
    on(pkButton, 'click', () => proof(pkButton, async () => {
      const begin = await api('POST', '/api/v1/passkeys/reauth/begin');
      const response = await passkey.get(begin.options);
      await api('POST', '/api/v1/passkeys/reauth/finish', { ceremony: begin.ceremony, response });
    }));
    on(d.querySelector('[data-reauth-cancel]'), 'click', () => settle(false));
    on(d, 'close', () => settle(false)); // Escape
    d.showModal();
    pw.focus();
  });
}

// guarded runs change (an async function calling the API) as busy does:
// button is disabled meanwhile and errors show in errEl. When the API
// asks for a recent sign-in, the user confirms it's them and change runs
// once more. Focus then returns to button, or to fallback when the change
// took button away. It resolves to true when change succeeded.
export async function guarded(button, errEl, change, fallback) {
  const d = document.getElementById('reauth');
  let asked = false;
  let done = false;
  await busy(button, errEl, async () => {
    try {
      await change();
    } catch (err) {
      if (!needsReauth(err) || !d) throw err;
      asked = true;
      if (!await confirmIdentity(d)) throw new Cancelled();
      try {
        await change();
      } finally {
        d.removeAttribute('aria-busy');
        d.close('ok');
      }
    }
    done = true;
  });
  if (asked) (button.isConnected ? button : fallback)?.focus();
  return done;
}
