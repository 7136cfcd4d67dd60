-- One sign-in namespace per pool (docs/security.md, "One sign-in namespace"). Written by hand:
-- drizzle-kit does not model triggers or data changes. Four steps, in one transaction:
-- 1. email alias keys take the server's normal form (NFKC, lower case, ideographic and
--    full-width dots as '.'), so look-alike addresses become one key;
-- 2. where two claims now share a key, the earliest is kept (a username always; then a verified
--    email or phone over a preferred_username; then the user created first) and the others are
--    released: the value stays, it no longer signs in, and an email or phone loses its verified
--    flag, as a ForceAliasCreation takeover leaves it; each release is an audit event
--    (actor 'system', action SIGN_IN_NAME_RELEASED);
-- 3. sign_in_names is filled from usernames and the remaining alias keys;
-- 4. triggers keep it filled from then on, whoever writes users or user_attributes.

UPDATE "user_attributes"
SET "alias_key" = lower(normalize(split_part("alias_key", '@', 1), NFKC)) || '@'
               || lower(translate(normalize(split_part("alias_key", '@', 2), NFKC), '。', '.'))
WHERE "name" = 'email' AND "alias_key" LIKE '%@%';
--> statement-breakpoint
WITH "claims" AS (
  SELECT a."pool_id", a."alias_key" AS "name_key", a."user_id", a."name" AS "source",
         CASE WHEN a."name" = 'preferred_username' THEN 2 ELSE 1 END AS "rank", u."created_at"
  FROM "user_attributes" a JOIN "users" u ON u."id" = a."user_id"
  WHERE a."alias_key" IS NOT NULL
  UNION ALL
  SELECT "pool_id", "username_key", "id", 'username', 0, "created_at" FROM "users"
), "ranked" AS (
  SELECT *, row_number() OVER (PARTITION BY "pool_id", "name_key" ORDER BY "rank", "created_at", "user_id") AS "n"
  FROM "claims"
), "released" AS (
  UPDATE "user_attributes" a
  SET "alias_key" = NULL,
      "verified" = CASE WHEN a."name" IN ('email', 'phone_number') THEN false ELSE a."verified" END
  FROM "ranked" r
  WHERE r."n" > 1 AND r."source" <> 'username' AND a."user_id" = r."user_id" AND a."name" = r."source"
  RETURNING a."pool_id", a."user_id", a."name"
)
INSERT INTO "audit_events" ("pool_id", "user_id", "username", "actor_kind", "action", "details")
SELECT r."pool_id", r."user_id", u."username", 'system', 'SIGN_IN_NAME_RELEASED',
       jsonb_build_object('attributes', jsonb_build_array(
         CASE WHEN r."name" IN ('email', 'phone_number')
           THEN jsonb_build_object('name', r."name", 'change', 'alias_released', 'verified', jsonb_build_object('from', true, 'to', false))
           ELSE jsonb_build_object('name', r."name", 'change', 'alias_released')
         END))
FROM "released" r JOIN "users" u ON u."id" = r."user_id";
--> statement-breakpoint
INSERT INTO "sign_in_names" ("pool_id", "name_key", "user_id", "source")
SELECT "pool_id", "username_key", "id", 'username' FROM "users";
--> statement-breakpoint
INSERT INTO "sign_in_names" ("pool_id", "name_key", "user_id", "source")
SELECT "pool_id", "alias_key", "user_id", "name" FROM "user_attributes" WHERE "alias_key" IS NOT NULL;
--> statement-breakpoint
CREATE FUNCTION "sign_in_names_of_user"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD."username_key" = NEW."username_key" AND OLD."pool_id" = NEW."pool_id" THEN RETURN NULL; END IF;
    DELETE FROM "sign_in_names" WHERE "pool_id" = OLD."pool_id" AND "name_key" = OLD."username_key" AND "user_id" = OLD."id";
  END IF;
  INSERT INTO "sign_in_names" ("pool_id", "name_key", "user_id", "source") VALUES (NEW."pool_id", NEW."username_key", NEW."id", 'username');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "users_sign_in_name" AFTER INSERT OR UPDATE OF "username_key", "pool_id" ON "users"
FOR EACH ROW EXECUTE FUNCTION "sign_in_names_of_user"();
--> statement-breakpoint
CREATE FUNCTION "sign_in_names_of_attribute"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."alias_key" IS NOT DISTINCT FROM NEW."alias_key" THEN RETURN NULL; END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."alias_key" IS NOT NULL THEN
    DELETE FROM "sign_in_names"
    WHERE "pool_id" = OLD."pool_id" AND "name_key" = OLD."alias_key" AND "user_id" = OLD."user_id" AND "source" = OLD."name";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW."alias_key" IS NOT NULL THEN
    INSERT INTO "sign_in_names" ("pool_id", "name_key", "user_id", "source") VALUES (NEW."pool_id", NEW."alias_key", NEW."user_id", NEW."name");
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "user_attributes_sign_in_name" AFTER INSERT OR DELETE OR UPDATE OF "alias_key" ON "user_attributes"
FOR EACH ROW EXECUTE FUNCTION "sign_in_names_of_attribute"();
