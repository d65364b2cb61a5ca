// A real OpenID Connect provider on loopback for the sign-in tests: the certified `oidc-provider` package
// with its development login and consent pages. Config (JSON file, argv[2]): port, clients, jwk (the signing
// key, so that tests can also sign tokens "as the provider" with a bad audience or a past expiry) and
// accounts_file (sub → claims, read at every sign-in so a test can add people while it runs).
import fs from "node:fs";
import Provider from "oidc-provider";

const cfg = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const issuer = `http://127.0.0.1:${cfg.port}`;

const provider = new Provider(issuer, {
  clients: cfg.clients,
  jwks: { keys: [cfg.jwk] },
  // the standard scopes and Kakao's own names for the same claims
  scopes: ["openid", "email", "profile", "account_email", "profile_nickname"],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    account_email: ["email", "email_verified"],
    profile: ["nickname", "name"],
    profile_nickname: ["nickname"],
  },
  conformIdTokenClaims: false, // like Kakao: the id_token itself carries the profile and email claims
  pkce: { required: () => true },
  cookies: { keys: ["saekdam-test-provider"] },
  features: { devInteractions: { enabled: true } },
  ttl: { IdToken: 3600, AccessToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
  async findAccount(ctx, id) {
    const accounts = JSON.parse(fs.readFileSync(cfg.accounts_file, "utf8"));
    const claims = accounts[id] || {};
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});

provider.listen(cfg.port, "127.0.0.1", () => console.log(`oidc-provider ready at ${issuer}`));
