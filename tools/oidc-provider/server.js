// A development OpenID provider for `make run` and the tests: node-oidc-provider
// (a certified implementation) with a few demo identities and a one-click sign-in
// page.  Never for production: a municipality points Samskab at MitID (through a
// broker), ID-porten or its own provider instead.
//
// Settings (environment):
//   OIDC_DEV_PORT          port (default 8095)
//   OIDC_DEV_ISSUER        issuer URL (default http://localhost:<port>)
//   OIDC_DEV_CLIENT_ID     the one client (default samskab-dev)
//   OIDC_DEV_CLIENT_SECRET its secret (required: make run writes one under var/)
//   OIDC_DEV_REDIRECT_URIS comma-separated redirect URIs of the client
import crypto from 'node:crypto';
import http from 'node:http';
import { Provider } from 'oidc-provider';

const port = Number(process.env.OIDC_DEV_PORT || 8095);
const issuer = process.env.OIDC_DEV_ISSUER || `http://localhost:${port}`;
const clientId = process.env.OIDC_DEV_CLIENT_ID || 'samskab-dev';
const clientSecret = process.env.OIDC_DEV_CLIENT_SECRET;
const redirectUris = (process.env.OIDC_DEV_REDIRECT_URIS || 'http://localhost:8000/auth/oidc/devid/callback')
  .split(',').map((u) => u.trim()).filter(Boolean);
if (!clientSecret) {
  console.error('OIDC_DEV_CLIENT_SECRET is not set');
  process.exit(2);
}

// Demo identities: a pairwise-looking subject, a name, an e-mail address and the
// municipality of residence (its official code, as a national register would say it).
const IDENTITIES = {
  'anna': { name: 'Anna Demo Jensen', email: 'anna.verified@example.org', municipality_code: '0851' },
  'jens': { name: 'Jens Demo Hansen', email: 'jens.verified@example.org', municipality_code: '0860' },
  'kari': { name: 'Kari Demo Nordmann', email: 'kari.verified@example.org', municipality_code: '3403' },
  'ola': { name: 'Ola Demo Nordmann', email: 'ola.verified@example.org', municipality_code: '1577' },
};

function subjectOf(login) {
  return crypto.createHash('sha256').update(`samskab-dev-oidc:${login}`).digest('hex').slice(0, 32);
}
const BY_SUBJECT = Object.fromEntries(Object.entries(IDENTITIES).map(([login, who]) => [subjectOf(login), who]));

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'residence'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    residence: ['municipality_code'],
  },
  // The claims go into the ID token itself, as MitID brokers and ID-porten do.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  async findAccount(ctx, sub) {
    const who = BY_SUBJECT[sub];
    if (!who) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, name: who.name, email: who.email, email_verified: true, municipality_code: who.municipality_code };
      },
    };
  },
  // A first-party development client: no consent screen.
  async loadExistingGrant(ctx) {
    const existing = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) return ctx.oidc.provider.Grant.find(existing);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile residence');
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
});
provider.proxy = true;

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid) {
  const choices = Object.entries(IDENTITIES).map(([login, who], i) => `
      <div><input type="radio" id="who-${login}" name="login" value="${login}"${i === 0 ? ' checked' : ''}>
      <label for="who-${login}">${escape(who.name)} (${escape(login)})</label></div>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Development identity provider</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Development identity provider</h1>
<p>A stand-in for MitID or ID-porten on this machine. Choose a demo identity.</p>
<form method="post" action="/interaction/${escape(uid)}/login">
<fieldset><legend>Demo identity</legend>${choices}</fieldset>
<button type="submit">Sign in</button></form></main></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10000) break;
  }
  return new URLSearchParams(body);
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== match[1]) throw new Error('interaction mismatch');
    if (req.method === 'GET' && !match[2]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(loginPage(details.uid));
    }
    if (req.method === 'POST' && match[2]) {
      const login = (await readForm(req)).get('login');
      if (!IDENTITIES[login]) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        return res.end('unknown demo identity');
      }
      return await provider.interactionFinished(req, res, { login: { accountId: subjectOf(login) } },
        { mergeWithLastSubmission: false });
    }
    res.writeHead(405, { 'content-type': 'text/plain' });
    return res.end('method not allowed');
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    return res.end(`interaction failed: ${err.message}`);
  }
});
server.listen(port, '127.0.0.1', () => {
  console.log(`development OpenID provider at ${issuer} (client ${clientId})`);
});
