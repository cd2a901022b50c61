// Passkeys: the server's options (JSON, binary fields in base64url) to the
// ArrayBuffers navigator.credentials wants, and the PublicKeyCredential
// back to the JSON the server parses.

export function supported() {
  return Boolean(window.PublicKeyCredential && navigator.credentials);
}

function fromB64url(s) {
  let b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  while (b64.length % 4) b64 += '=';
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

function toB64url(buf) {
  let bin = '';
  for (const b of new Uint8Array(buf)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const withID = (list) => (list || []).map((c) => ({ ...c, id: fromB64url(c.id) }));

function common(cred) {
  return {
    id: cred.id,
    rawId: toB64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
    clientExtensionResults: cred.getClientExtensionResults(),
  };
}

// create registers a new passkey from the server's creation options
// ({publicKey: …}) and returns the credential as JSON.
export async function create(options) {
  const pk = { ...options.publicKey };
  pk.challenge = fromB64url(pk.challenge);
  pk.user = { ...pk.user, id: fromB64url(pk.user.id) };
  pk.excludeCredentials = withID(pk.excludeCredentials);
  const cred = await navigator.credentials.create({ publicKey: pk });
  const r = cred.response;
  return {
    ...common(cred),
    response: {
      clientDataJSON: toB64url(r.clientDataJSON),
      attestationObject: toB64url(r.attestationObject),
      transports: typeof r.getTransports === 'function' ? r.getTransports() : [],
    },
  };
}

// get signs the server's challenge ({publicKey: …}) with a passkey and
// returns the assertion as JSON.
export async function get(options) {
  const pk = { ...options.publicKey };
  pk.challenge = fromB64url(pk.challenge);
  if (pk.allowCredentials) pk.allowCredentials = withID(pk.allowCredentials);
  const cred = await navigator.credentials.get({ publicKey: pk });
  const r = cred.response;
  return {
    ...common(cred),
    response: {
      clientDataJSON: toB64url(r.clientDataJSON),
      authenticatorData: toB64url(r.authenticatorData),
      signature: toB64url(r.signature),
      userHandle: r.userHandle ? toB64url(r.userHandle) : null,
    },
  };
}

// deviceName names a new passkey after this device's platform.
export function deviceName() {
  const p = (navigator.userAgentData && navigator.userAgentData.platform) || '';
  return p ? `${p} passkey` : 'Passkey';
}
