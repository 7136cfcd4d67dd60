CREATE TABLE "rate_limit_counters" (
	"key" text PRIMARY KEY NOT NULL,
	"hits" integer NOT NULL,
	"resets_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rate_limit_counters_hits_positive" CHECK ("rate_limit_counters"."hits" > 0)
);
--> statement-breakpoint
CREATE TABLE "sign_in_lockouts" (
	"user_id" uuid NOT NULL,
	"source" text NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sign_in_lockouts_pkey" PRIMARY KEY("user_id","source"),
	CONSTRAINT "sign_in_lockouts_failures_nonnegative" CHECK ("sign_in_lockouts"."failures" >= 0)
);
--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "allowed_origins" text[];--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "retires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sign_in_lockouts" ADD CONSTRAINT "sign_in_lockouts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rate_limit_counters_resets_idx" ON "rate_limit_counters" USING btree ("resets_at");