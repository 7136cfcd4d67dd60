ALTER TABLE "pools" ADD COLUMN "srp_enabled" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "srp_salt" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "srp_verifier" text;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_srp_pair" CHECK (("users"."srp_salt" is null) = ("users"."srp_verifier" is null));