// The client portal: sign-in, invitations, the dashboard and the users
// page. The page's body names which part runs (data-page).
import { api, busy, confirmDialog, fullDate, h, invalid, message, relative, say, setSignIn, toast } from './common.js';
import { guarded } from './reauth.js';
import { initUsers } from './users.js';
import * as passkey from './webauthn.js';

const home = () => location.assign('/');

// linkGone is what the invitation page says of a link that stopped
// working after the page was shown (the other states are common.js's).
const linkGone = { not_found: 'This invitation link is no longer valid. Reload the page for details.' };

function login() {
  const pkButton = document.querySelector('[data-passkey-signin]');
  const pkError = document.querySelector('[data-passkey-error]');
  if (!passkey.supported()) {
    pkButton.disabled = true;
    pkError.textContent = 'This browser has no passkey support. Use your password.';
    pkError.hidden = false;
  }
  pkButton.addEventListener('click', () => busy(pkButton, pkError, async () => {
    const begin = await api('POST', '/api/v1/passkeys/signin/begin');
    const response = await passkey.get(begin.options);
    await api('POST', '/api/v1/passkeys/signin/finish', { ceremony: begin.ceremony, response });
    home();
  }));

  const form = document.querySelector('[data-password-signin]');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const email = form.elements.email.value.trim();
    const password = form.elements.password.value;
    const err = form.querySelector('[data-error]');
    if (!email || !password) {
      err.textContent = 'Enter your email and password.';
      err.hidden = false;
      return;
    }
    busy(form.querySelector('button[type=submit]'), err, async () => {
      await api('POST', '/api/v1/session', { email, password });
      home();
    });
  });
}

function invitation() {
  const card = document.querySelector('[data-invitation]');
  if (!card) return; // the link cannot be used; the page says why
  const token = card.dataset.token;
  const err = card.querySelector('[data-error]');

  if (card.querySelector('[data-existing-account]')) {
    acceptForAccount(card, token);
    return;
  }

  const form = card.querySelector('[data-accept]');
  const nameOf = () => {
    const name = form.elements.name.value.trim();
    if (!name) {
      err.textContent = 'Enter your name first.';
      err.hidden = false;
      form.elements.name.focus();
    }
    return name;
  };
  const pkButton = form.querySelector('[data-passkey-setup]');
  if (!passkey.supported()) pkButton.disabled = true;
  pkButton.addEventListener('click', () => {
    const name = nameOf();
    if (!name) return;
    busy(pkButton, err, async () => {
      const begin = await api('POST', '/api/v1/passkeys/setup/begin', { token });
      const response = await passkey.create(begin.options);
      await api('POST', '/api/v1/passkeys/setup/finish',
        { token, ceremony: begin.ceremony, response, name, passkey_name: passkey.deviceName() });
      home();
    }, linkGone);
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = nameOf();
    if (!name) return;
    const password = form.elements.password.value;
    if (!password) {
      err.textContent = 'Choose a password, or set up a passkey instead.';
      err.hidden = false;
      form.elements.password.focus();
      return;
    }
    busy(form.querySelector('[data-password-setup]'), err, async () => {
      try {
        await api('POST', '/api/v1/invitations/accept', { token, name, password });
      } catch (e) {
        if (e.code === 'weak_password') invalid(form.elements.password);
        throw e;
      }
      home();
    }, linkGone);
  });
}

// acceptForAccount accepts for an email that already has an account: as
// the signed-in visitor, or by signing in to it with one of its passkeys
// or its password. The account itself does not change.
function acceptForAccount(card, token) {
  const accept = (body) => api('POST', '/api/v1/invitations/accept', { token, ...body });

  const as = card.querySelector('[data-accept-as]');
  if (as) {
    as.addEventListener('click', () => busy(as, card.querySelector('[data-error]'), async () => {
      await accept({});
      home();
    }, {
      ...linkGone,
      sign_in_required: 'You are no longer signed in to this account. Reload the page to sign in and accept.',
      unauthenticated: 'You are no longer signed in to this account. Reload the page to sign in and accept.',
    }));
    return;
  }

  const pkButton = card.querySelector('[data-passkey-accept]');
  const pkError = card.querySelector('[data-passkey-error]');
  if (!passkey.supported()) {
    pkButton.disabled = true;
    say(pkError, 'This browser has no passkey support. Use your password.');
  }
  pkButton.addEventListener('click', () => busy(pkButton, pkError, async () => {
    const begin = await api('POST', '/api/v1/passkeys/accept/begin', { token });
    const response = await passkey.get(begin.options);
    await api('POST', '/api/v1/passkeys/accept/finish', { token, ceremony: begin.ceremony, response });
    home();
  }, { ...linkGone, passkey_failed: 'That passkey is not one of this account\'s, or it could not be verified. Try again, or use your password.' }));

  const form = card.querySelector('[data-signin-accept]');
  const err = form.querySelector('[data-error]');
  const pw = form.elements.password;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!pw.value) {
      say(err, 'Enter your password, or use a passkey.');
      pw.focus();
      return;
    }
    busy(form.querySelector('button[type=submit]'), err, async () => {
      try {
        await accept({ password: pw.value });
      } catch (e) {
        if (e.code === 'invalid_credentials') invalid(pw);
        throw e;
      }
      home();
    }, { ...linkGone, invalid_credentials: 'That password is not right for this account. Try again, or use a passkey.' });
  });
}

// features describes what each client permission gives this user.
const features = {
  view_reports: ['Reports', 'Your reports and dashboards.'],
  manage_billing: ['Billing', 'Invoices, payment methods and your plan.'],
  export_data: ['Data export', 'Download your data.'],
};

async function dashboard() {
  changePassword();
  const grid = document.querySelector('[data-features]');
  const me = await api('GET', '/api/v1/me');
  document.querySelector('[data-client-name]').textContent = me.client.name;
  const cards = Object.keys(features).filter((p) => me.permissions.includes(p)).map((p) =>
    h('article', { class: 'card feature', dataset: { feature: p } },
      h('h3', { text: features[p][0] }), h('p', { text: features[p][1] })));
  if (me.role === 'admin') {
    cards.push(h('article', { class: 'card feature', dataset: { feature: 'users' } },
      h('h3', { text: 'Users' }), h('p', { text: `Invite teammates to ${me.client.name}, change roles and remove access.` }),
      h('a', { class: 'btn', href: '/users', text: 'Manage users' })));
  }
  grid.replaceChildren(...cards);
  grid.removeAttribute('aria-busy');
  document.querySelector('[data-no-features]').hidden = cards.length > 0;
  await passkeys();
}

async function passkeys() {
  const section = document.querySelector('[data-passkeys-section]');
  const list = section.querySelector('[data-passkeys]');
  const err = section.querySelector('[data-error]');
  const add = section.querySelector('[data-add-passkey]');
  const heading = section.querySelector('h2');
  const render = async () => {
    const { passkeys: keys } = await api('GET', '/api/v1/passkeys');
    list.replaceChildren(...keys.map((k) => {
      const remove = h('button', { type: 'button', class: 'btn small', text: 'Remove', 'aria-label': `Remove ${k.name}` });
      remove.addEventListener('click', async () => {
        if (!await confirmDialog({ title: `Remove ${k.name}?`, text: 'You can no longer sign in with it.', confirm: 'Remove passkey', danger: true })) return;
        guarded(remove, err, async () => {
          await api('DELETE', `/api/v1/passkeys/${encodeURIComponent(k.id)}`);
          toast('Passkey removed.');
          await render();
        }, heading);
      });
      const used = k.last_used_at ? `last used ${relative(k.last_used_at)}` : 'not used yet';
      return h('li', { dataset: { passkey: k.id } }, h('span', {}, h('strong', { text: k.name }),
        h('span', { class: 'muted small', title: fullDate(k.created_at), text: ` · added ${relative(k.created_at)}, ${used}` })), remove);
    }));
    section.querySelector('[data-no-passkeys]').hidden = keys.length > 0;
  };
  if (!passkey.supported()) add.disabled = true;
  add.addEventListener('click', () => guarded(add, err, async () => {
    const begin = await api('POST', '/api/v1/passkeys/register/begin');
    const response = await passkey.create(begin.options);
    await api('POST', '/api/v1/passkeys/register/finish', { ceremony: begin.ceremony, response, name: passkey.deviceName() });
    toast('Passkey added.');
    await render();
  }, heading));
  await render();
}

// changePassword sets a new password (a passkey-only account sets its
// first one); every other session of the user ends.
function changePassword() {
  const form = document.querySelector('[data-change-password]');
  const pw = form.elements.password;
  const err = form.querySelector('[data-error]');
  const done = form.querySelector('[data-done]');
  const submit = form.querySelector('button[type=submit]');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    done.hidden = true;
    if (!pw.value) {
      say(err, 'Enter the new password.');
      pw.focus();
      return;
    }
    const ok = await guarded(submit, err, async () => {
      try {
        await api('POST', '/api/v1/password', { password: pw.value });
      } catch (e) {
        if (e.code === 'weak_password') invalid(pw);
        throw e;
      }
    });
    if (ok) {
      pw.value = '';
      say(done, 'Your password is saved. Your other sessions were signed out; this one goes on.');
    }
  });
}

const pages = {
  login,
  invite: invitation,
  dashboard: () => { setSignIn('/login'); return dashboard(); },
  users: () => { setSignIn('/login'); initUsers(document.querySelector('[data-users]')); },
};

const run = pages[document.body.dataset.page];
if (run) {
  Promise.resolve(run()).catch((err) => toast(message(err), true));
}
