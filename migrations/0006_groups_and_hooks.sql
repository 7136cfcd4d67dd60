CREATE TABLE "group_members" (
	"pool_id" text NOT NULL,
	"group_name" text NOT NULL,
	"user_id" uuid NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "group_members_pool_id_group_name_user_id_pk" PRIMARY KEY("pool_id","group_name","user_id")
);
--> statement-breakpoint
CREATE TABLE "groups" (
	"pool_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"precedence" integer,
	"role_arn" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "groups_pool_id_name_pk" PRIMARY KEY("pool_id","name"),
	CONSTRAINT "groups_precedence_range" CHECK ("groups"."precedence" IS NULL OR "groups"."precedence" >= 0)
);
--> statement-breakpoint
CREATE TABLE "hook_secrets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"pool_id" text NOT NULL,
	"sealed_secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retires_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "pools" ADD COLUMN "lambda_config" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_pool_id_group_name_groups_pool_id_name_fk" FOREIGN KEY ("pool_id","group_name") REFERENCES "public"."groups"("pool_id","name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "groups" ADD CONSTRAINT "groups_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hook_secrets" ADD CONSTRAINT "hook_secrets_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "group_members_user_idx" ON "group_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "hook_secrets_pool_idx" ON "hook_secrets" USING btree ("pool_id");