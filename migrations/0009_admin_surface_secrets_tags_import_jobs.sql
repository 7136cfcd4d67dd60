CREATE TABLE "client_secrets" (
	"id" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"sealed_secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_import_jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"pool_id" text NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'Created' NOT NULL,
	"cloud_watch_logs_role_arn" text NOT NULL,
	"csv" text,
	"upload_expires_at" timestamp with time zone NOT NULL,
	"imported_users" integer DEFAULT 0 NOT NULL,
	"skipped_users" integer DEFAULT 0 NOT NULL,
	"failed_users" integer DEFAULT 0 NOT NULL,
	"failures" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"completion_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"lease_expires_at" timestamp with time zone,
	CONSTRAINT "user_import_jobs_status_valid" CHECK ("user_import_jobs"."status" in ('Created', 'Pending', 'InProgress', 'Stopping', 'Expired', 'Stopped', 'Failed', 'Succeeded'))
);
--> statement-breakpoint
ALTER TABLE "pools" ADD COLUMN "tags" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "client_secrets" ADD CONSTRAINT "client_secrets_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_import_jobs" ADD CONSTRAINT "user_import_jobs_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "client_secrets_client_idx" ON "client_secrets" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "user_import_jobs_pool_idx" ON "user_import_jobs" USING btree ("pool_id","created_at");--> statement-breakpoint
CREATE INDEX "auth_sessions_user_idx" ON "auth_sessions" USING btree ("user_id");--> statement-breakpoint
-- UserPoolTags given to CreateUserPool before tags were honoured were kept among the AWS plumbing: move them (docs/pools.md).
UPDATE "pools" SET "tags" = "policies"->'awsPlumbing'->'UserPoolTags', "policies" = "policies" #- '{awsPlumbing,UserPoolTags}' WHERE jsonb_typeof("policies"->'awsPlumbing'->'UserPoolTags') = 'object';
