// One real OpenID Provider (panva/oidc-provider, pinned in package.json) on loopback for Tern's sign-in tests.
// Started by OidcTestProvider: `node provider.mjs <config.json>`. The config names the port, the audience of the
// JWT access tokens (Tern's API), the users (password, name, email, groups) and the client's secret. It prints
// "oidc-provider ready <issuer>" once it listens. Test scaffolding only: users live in memory, keys are fresh per start.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { generateKeyPairSync, randomUUID, timingSafeEqual } from 'node:crypto';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

// A provider whose clock lags issues tokens that are already expired when they arrive: the expired-token tests
// need a real, correctly signed token past its exp, without waiting for one to age.
if (config.clockOffsetSeconds) {
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() + config.clockOffsetSeconds * 1000;
}

const lag = Math.abs(config.clockOffsetSeconds ?? 0);
const { default: Provider } = await import('oidc-provider');

const issuer = `http://127.0.0.1:${config.port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
// Users are read from the config file at each look-up, so a test can change a user's groups between two sign-ins.
function currentUsers() {
  return new Map(JSON.parse(readFileSync(process.argv[2], 'utf8')).users.map((u) => [u.login, u]));
}
const users = { get: (login) => currentUsers().get(login) };

function passwordMatches(user, given) {
  const a = Buffer.from(String(user.password));
  const b = Buffer.from(String(given ?? ''));
  return a.length === b.length && timingSafeEqual(a, b);
}

function claimsOf(user) {
  return { sub: user.login, email: user.email, email_verified: true, name: user.name, groups: user.groups ?? [] };
}

const scope = 'openid email profile groups offline_access';
const provider = new Provider(issuer, {
  clients: [{
    client_id: config.clientId,
    client_secret: config.clientSecret,
    redirect_uris: [config.redirectUri],
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomUUID()] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
  async findAccount(ctx, id) {
    const user = users.get(id);
    return user && { accountId: id, async claims() { return claimsOf(user); } };
  },
  // Tern's API is the one resource server: every access token is a JWT for its audience.
  features: {
    devInteractions: { enabled: false },
    deviceFlow: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => config.resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope, audience: config.audience, accessTokenFormat: 'jwt', accessTokenTTL: config.accessTokenTtlSeconds }),
    },
  },
  // The claims Tern reads (who, and the groups it syncs) ride in the access token itself.
  async extraTokenClaims(ctx, token) {
    const user = users.get(token.accountId);
    if (!user) return undefined;
    const { sub, ...rest } = claimsOf(user);
    return rest;
  },
  // First-party client: consent is implied, so a sign-in is the login form and nothing else.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(scope);
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'groups']);
    grant.addResourceScope(config.resource, scope);
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // A lagging clock would expire the browser's cookies on arrival: the stateful parts outlast the lag.
  ttl: {
    AccessToken: config.accessTokenTtlSeconds,
    Session: 3600 + lag, Interaction: 600 + lag, Grant: 3600 + lag, DeviceCode: 600 + lag,
  },
});
provider.proxy = false;

function page(res, status, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!DOCTYPE html><html><head><title>Sign in</title></head><body>${body}</body></html>`);
}

function loginForm(uid, message) {
  return `<h1>Sign in</h1>${message ? `<p class="error">${message}</p>` : ''}
<form id="login" method="post" action="/interaction/${uid}/login">
<input type="text" name="login" autofocus/>
<input type="password" name="password"/>
<button type="submit">Sign in</button>
</form>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16384) throw new Error('form too large');
  }
  return Object.fromEntries(new URLSearchParams(body));
}

const callback = provider.callback();
const server = createServer(async (req, res) => {
  const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== match[1] || details.prompt.name !== 'login') {
      return page(res, 400, `<p>unexpected prompt ${details.prompt.name}</p>`);
    }
    if (req.method === 'GET') return page(res, 200, loginForm(details.uid));
    const form = await readForm(req);
    const user = users.get(form.login);
    if (!user || !passwordMatches(user, form.password)) {
      return page(res, 200, loginForm(details.uid, 'wrong login or password'));
    }
    return provider.interactionFinished(req, res, { login: { accountId: user.login } }, { mergeWithLastSubmission: false });
  } catch (err) {
    return page(res, 400, `<p>${String(err.message).replace(/[<>&]/g, '')}</p>`);
  }
});
server.listen(config.port, '127.0.0.1', () => console.log(`oidc-provider ready ${issuer}`));
