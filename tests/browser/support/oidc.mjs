// A real OpenID Connect provider for the ProConnect tests: npm's oidc-provider (the certified
// implementation), configured as ProConnect configures its relying parties (authorization code
// with PKCE, client_secret_post, the user information as a signed JWT, RP-initiated logout).
// It listens behind a small proxy that is the issuer's address: the proxy passes everything
// through, and can alter the ID token of the next token answer (a forged signature, another
// audience, an expired token, a nonce already used) or sign it with a new key, as a provider
// rotating its keys does. Nothing here is mocked: the tokens are the provider's own, changed
// only where a test says so.
import http from "node:http";
import { once } from "node:events";
import * as jose from "jose";
import Provider from "oidc-provider";

export const clientId = "allervers-test";
export const clientSecret = "un-secret-de-test-assez-long-pour-le-fournisseur";

/** Starts the provider for a relying party at `rpBase`; returns { issuer, setTamper, stop }. */
export async function startProvider(rpBase) {
  const { privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
  const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: "key-1", alg: "RS256", use: "sig" };
  let rotated = null; // { privateKey, publicJwk } once a test rotates the key

  // The proxy's port is the issuer's: find it first.
  const proxy = http.createServer();
  proxy.listen(0, "127.0.0.1");
  await once(proxy, "listening");
  const issuer = `http://127.0.0.1:${proxy.address().port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${rpBase}/connexion/proconnect/retour`],
        post_logout_redirect_uris: [`${rpBase}/connexion`],
        token_endpoint_auth_method: "client_secret_post",
        grant_types: ["authorization_code"],
        response_types: ["code"],
        id_token_signed_response_alg: "RS256",
        userinfo_signed_response_alg: "RS256",
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: { keys: ["cle-des-cookies-du-fournisseur-de-test"] },
    claims: { openid: ["sub"], email: ["email"], given_name: ["given_name"], usual_name: ["usual_name"], uid: ["uid"] },
    scopes: ["openid", "email", "given_name", "usual_name", "uid"],
    // The login typed on the provider's page is the account: its e-mail.
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: sub, given_name: "Agent", usual_name: "De Test", uid: sub }),
    }),
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
  });
  provider.on("server_error", (_ctx, error) => console.error("oidc-provider:", error));
  const inner = http.createServer(provider.callback());
  inner.listen(0, "127.0.0.1");
  await once(inner, "listening");
  const innerPort = inner.address().port;

  let tamper = null; // what to do to the next token answer
  let lastIdToken = null; // the last ID token the provider issued, for the replay test

  async function resign(idToken, change) {
    const claims = { ...jose.decodeJwt(idToken), ...change };
    const key = rotated ? rotated.privateKey : privateKey;
    const kid = rotated ? "key-2" : "key-1";
    return new jose.SignJWT(claims).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).sign(key);
  }

  async function alter(idToken) {
    const now = Math.floor(Date.now() / 1000);
    switch (tamper) {
      case "forged-signature": {
        const [h, p, s] = idToken.split(".");
        const flipped = (s[10] === "A" ? "B" : "A");
        return `${h}.${p}.${s.slice(0, 10)}${flipped}${s.slice(11)}`;
      }
      case "wrong-audience":
        return resign(idToken, { aud: "une-autre-application" });
      case "expired":
        return resign(idToken, { iat: now - 7200, exp: now - 3600 });
      case "replayed-nonce":
        return lastIdToken; // a genuine token of an earlier sign-in: its nonce is not this one's
      case "rotated-key":
        return resign(idToken, {});
      default:
        return idToken;
    }
  }

  proxy.on("request", (req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const forward = http.request(
        { host: "127.0.0.1", port: innerPort, path: req.url, method: req.method, headers: { ...req.headers, host: new URL(issuer).host } },
        (answer) => {
          const parts = [];
          answer.on("data", (c) => parts.push(c));
          answer.on("end", async () => {
            let payload = Buffer.concat(parts);
            const headers = { ...answer.headers };
            if (req.url.startsWith("/jwks") && rotated) {
              const set = JSON.parse(payload.toString("utf8"));
              set.keys.push(rotated.publicJwk);
              payload = Buffer.from(JSON.stringify(set));
            }
            if (req.url.startsWith("/token") && answer.statusCode === 200) {
              const tokens = JSON.parse(payload.toString("utf8"));
              const genuine = tokens.id_token;
              tokens.id_token = await alter(genuine);
              lastIdToken = genuine;
              tamper = null;
              payload = Buffer.from(JSON.stringify(tokens));
            }
            delete headers["content-length"];
            delete headers["transfer-encoding"];
            res.writeHead(answer.statusCode, { ...headers, "content-length": payload.length });
            res.end(payload);
          });
        },
      );
      forward.on("error", (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      forward.end(body);
    });
  });

  return {
    issuer,
    /** The next token answer is altered: "forged-signature", "wrong-audience", "expired", "replayed-nonce", "rotated-key". */
    async setTamper(mode) {
      if (mode === "rotated-key" && !rotated) {
        const pair = await jose.generateKeyPair("RS256", { extractable: true });
        rotated = { privateKey: pair.privateKey, publicJwk: { ...(await jose.exportJWK(pair.publicKey)), kid: "key-2", alg: "RS256", use: "sig" } };
      }
      tamper = mode;
    },
    async stop() {
      proxy.close();
      inner.close();
      proxy.closeAllConnections?.();
      inner.closeAllConnections?.();
    },
  };
}
