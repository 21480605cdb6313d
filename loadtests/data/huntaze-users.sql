-- Prisma's default table for `model User { id, email, name, deletedAt }` (quoted, case-sensitive names),
-- loaded into the local PostgreSQL stand-in for the huntaze-skeleton shadow-traffic scenario. Users 1-14
-- are what the mock user service answers (the shadow comparison finds them equal); users 15-17 have
-- another name (a difference); 18-20 are missing (the candidate answers 404 with null: a difference).
CREATE TABLE IF NOT EXISTS "User" ("id" text PRIMARY KEY, "email" text NOT NULL, "name" text NOT NULL,
                                   "deletedAt" timestamptz);
TRUNCATE "User";
INSERT INTO "User" ("id", "email", "name")
SELECT 'user-' || n, 'user-' || n || '@huntaze.test',
       CASE WHEN n <= 14 THEN 'Creator ' || left(encode(sha256(('user-' || n)::bytea), 'hex'), 8)
            ELSE 'Renamed creator ' || n END
FROM generate_series(1, 17) AS n;
