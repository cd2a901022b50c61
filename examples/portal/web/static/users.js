// The users view: a client's members and pending invitations, with
// Invite, role change, removal, Resend and Cancel for those who manage
// them. The console and the client Admins' page share it.
import { api, busy, confirmDialog, fullDate, h, message, relative, roleLabel, toast } from './common.js';

const statusLabel = { active: 'Active', pending: 'Pending', deactivated: 'Deactivated' };

export function initUsers(section) {
  const d = section.dataset;
  const manage = d.manage === 'true';
  const agency = d.agency === 'true';
  const base = `/api/v1/clients/${encodeURIComponent(d.client)}`;
  const rows = section.querySelector('[data-rows]');
  const empty = section.querySelector('[data-empty]');
  const more = section.querySelector('[data-more]');
  let users = [];
  let next = '';

  async function load(reset = true) {
    const q = new URLSearchParams({ limit: '50' });
    if (!reset && next) q.set('cursor', next);
    const page = await api('GET', `${base}/users?${q}`);
    users = reset ? page.users : users.concat(page.users);
    next = page.next || '';
    rows.replaceChildren(...users.map(row));
    empty.hidden = users.length > 0;
    more.hidden = !next;
  }

  // act runs one change, then reloads the list from the server; it
  // reports whether the change was made.
  async function act(button, fn, done) {
    button.disabled = true;
    try {
      await fn();
    } catch (err) {
      toast(message(err), true);
      button.disabled = false;
      return false;
    }
    await load().catch((err) => toast(message(err), true));
    toast(done);
    return true;
  }

  const display = (u) => u.name || u.email;
  const path = (kind, u, rest = '') => `${base}/${kind}/${encodeURIComponent(u.id)}${rest}`;

  async function changeRole(u, button) {
    const to = u.role === 'admin' ? 'member' : 'admin';
    const what = to === 'admin'
      ? 'Admins invite, change and remove the users of this client.'
      : 'Members use the client\'s features but cannot manage users.';
    if (!await confirmDialog({ title: `Make ${display(u)} ${aRole(to)}?`, text: what, confirm: `Make ${roleLabel(to)}` })) return;
    if (await act(button, () => api('PATCH', path('users', u), { role: to }), `${display(u)} is now ${aRole(to)}.`) && u.id === d.self) {
      location.reload();
    }
  }

  async function remove(u, button) {
    if (!await confirmDialog({ title: `Remove ${display(u)}?`, text: `${display(u)} loses access to ${d.clientName} at once. No email is sent.`,
      confirm: 'Remove user', danger: true })) return;
    if (await act(button, () => api('DELETE', path('users', u)), `${display(u)} was removed.`) && u.id === d.self) {
      location.assign('/login');
    }
  }

  async function cancel(u, button) {
    if (!await confirmDialog({ title: 'Cancel this invitation?', text: `The link sent to ${u.email} stops working.`,
      confirm: 'Cancel invitation', danger: true })) return;
    await act(button, () => api('DELETE', path('invitations', u)), 'Invitation cancelled.');
  }

  async function resend(u, button) {
    await act(button, () => api('POST', path('invitations', u, '/resend')), `Invitation sent again to ${u.email}.`);
  }

  async function setStatus(u, button, verb) {
    if (verb === 'deactivate' && !await confirmDialog({ title: `Deactivate ${display(u)}?`,
      text: 'They are signed out at once and cannot sign in until reactivated.', confirm: 'Deactivate', danger: true })) return;
    await act(button, () => api('POST', path('users', u, `/${verb}`)), `${display(u)} was ${verb}d.`);
  }

  function button(label, onclick, extra = '') {
    const b = h('button', { type: 'button', class: `btn small ${extra}`, text: label });
    b.addEventListener('click', () => onclick(b));
    return b;
  }

  function row(u) {
    const pending = u.status === 'pending';
    const you = u.id === d.self ? h('span', { class: 'you', text: ' (you)' }) : null;
    let role;
    if (manage && !pending) {
      role = h('button', { type: 'button', class: `badge role-${u.role}`, text: roleLabel(u.role),
        'aria-label': `Role: ${roleLabel(u.role)}. Change the role of ${display(u)}`, dataset: { role: u.role } });
      role.addEventListener('click', () => changeRole(u, role));
    } else {
      role = h('span', { class: `badge role-${u.role}`, text: roleLabel(u.role) });
    }
    const status = h('span', { class: `status status-${u.status}`, text: statusLabel[u.status] || u.status });
    const sub = pending && u.expires_at ? h('span', { class: 'sub', text: `Link expires ${relative(u.expires_at)}`, title: fullDate(u.expires_at) }) : null;
    const last = u.last_active_at
      ? h('time', { datetime: u.last_active_at, title: fullDate(u.last_active_at), text: relative(u.last_active_at) })
      : h('span', { class: 'muted', text: pending ? 'Invited' : 'Never' });
    const actions = [];
    if (manage && pending) {
      actions.push(button('Resend', (b) => resend(u, b)));
      actions.push(button('Cancel', (b) => cancel(u, b)));
    } else if (manage) {
      if (agency && u.status === 'active') actions.push(button('Deactivate', (b) => setStatus(u, b, 'deactivate')));
      if (agency && u.status === 'deactivated') actions.push(button('Reactivate', (b) => setStatus(u, b, 'reactivate')));
      actions.push(button('Remove', (b) => remove(u, b)));
    }
    return h('tr', { class: pending ? 'pending' : null, dataset: { email: u.email, status: u.status, role: u.role } },
      h('td', { class: 'who' }, h('strong', {}, display(u), you), u.name ? h('span', { text: u.email }) : null),
      h('td', { dataset: { label: 'Role' } }, role),
      h('td', { dataset: { label: 'Status' } }, h('span', {}, status, sub)),
      h('td', { dataset: { label: 'Last active' } }, last),
      h('td', { class: 'actions' }, actions));
  }

  const form = section.querySelector('[data-invite]');
  if (form) {
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const email = form.elements.email.value.trim();
      const role = form.elements.role.value;
      busy(form.querySelector('button[type=submit]'), form.querySelector('[data-error]'), async () => {
        await api('POST', `${base}/invitations`, { email, role });
        form.reset();
        toast(`Invitation sent to ${email}.`);
        await load();
      });
    });
  }
  more.addEventListener('click', () => busy(more, null, () => load(false)));
  load().catch((err) => {
    rows.replaceChildren(h('tr', {}, h('td', { colspan: '5', class: 'form-error', text: message(err) })));
  });
}

// aRole is "an Admin" or "a Member".
const aRole = (r) => (r === 'admin' ? 'an Admin' : 'a Member');
