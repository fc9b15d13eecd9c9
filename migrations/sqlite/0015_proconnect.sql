-- Sign-in with ProConnect, the State's identity federation for public agents (OpenID Connect;
-- issue 7 §2). A sign-in under way: the digest of its `state`, the nonce the ID token must
-- carry and the PKCE verifier of the code; taken (deleted) when the provider sends the browser
-- back, so that a replayed answer finds nothing, and purged after 10 minutes.
CREATE TABLE oidc_login (
  state_digest TEXT PRIMARY KEY,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  return_to TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX oidc_login_created ON oidc_login (created_at);

-- The ID token of a session opened through ProConnect: the provider's logout needs it back
-- (id_token_hint). Empty for a session opened with a password.
ALTER TABLE user_session ADD COLUMN idp_id_token TEXT NOT NULL DEFAULT '';
