-- The server's credentials (docs/server.md). Neither table holds a secret: an API token is kept as
-- the SHA-256 of the token (a random 256-bit value, so a fast hash cannot be searched), a
-- password as its bcrypt hash (a slow KDF: people choose passwords that can be guessed).
CREATE TABLE sluice_api_tokens (
    id          VARCHAR(32)  NOT NULL PRIMARY KEY,
    principal   VARCHAR(256) NOT NULL,
    token_hash  VARCHAR(64)  NOT NULL,
    created_at  BIGINT       NOT NULL,
    created_by  VARCHAR(256) NOT NULL,
    expires_at  BIGINT,
    revoked_at  BIGINT
);

CREATE TABLE sluice_user_passwords (
    principal     VARCHAR(256) NOT NULL PRIMARY KEY,
    password_hash VARCHAR(128) NOT NULL,
    updated_at    BIGINT       NOT NULL
);
