CREATE TABLE "clients" (
	"id" text PRIMARY KEY NOT NULL,
	"pool_id" text NOT NULL,
	"name" text NOT NULL,
	"read_attributes" text[],
	"write_attributes" text[],
	"prevent_user_existence_errors" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "clients_id_format" CHECK ("clients"."id" ~ '^[a-z0-9]{26}$')
);
--> statement-breakpoint
CREATE TABLE "pools" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"attribute_settings" jsonb NOT NULL,
	"policies" jsonb NOT NULL,
	"message_templates" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"username_case_sensitive" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pools_id_format" CHECK ("pools"."id" ~ '^[a-z0-9-]{1,32}_[A-Za-z0-9]{9}$')
);
--> statement-breakpoint
CREATE TABLE "server_secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"pool_id" text NOT NULL,
	"private_key_pem" text NOT NULL,
	"public_key_pem" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "code_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"purpose" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "code_events_kind_valid" CHECK ("code_events"."kind" in ('send', 'confirm'))
);
--> statement-breakpoint
CREATE TABLE "delivery_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"message_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"channel" text,
	"outcome" text NOT NULL,
	"provider_message_id" text,
	"error" text,
	CONSTRAINT "delivery_attempts_outcome_valid" CHECK ("delivery_attempts"."outcome" in ('sent', 'transient_failure', 'permanent_failure'))
);
--> statement-breakpoint
CREATE TABLE "outbox_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pool_id" text NOT NULL,
	"user_id" uuid,
	"medium" text NOT NULL,
	"destination" text NOT NULL,
	"attribute_name" text,
	"purpose" text NOT NULL,
	"locale" text,
	"payload" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"channel" text,
	"provider_message_id" text,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "outbox_messages_status_valid" CHECK ("outbox_messages"."status" in ('pending', 'sending', 'sent', 'failed', 'cancelled')),
	CONSTRAINT "outbox_messages_medium_valid" CHECK ("outbox_messages"."medium" in ('EMAIL', 'SMS'))
);
--> statement-breakpoint
CREATE TABLE "refresh_tokens" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"client_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"auth_time" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_attributes" (
	"user_id" uuid NOT NULL,
	"pool_id" text NOT NULL,
	"name" text NOT NULL,
	"value" text NOT NULL,
	"verified" boolean,
	"pending_value" text,
	"alias_key" text,
	CONSTRAINT "user_attributes_pkey" PRIMARY KEY("user_id","name"),
	CONSTRAINT "user_attributes_value_length" CHECK (char_length("user_attributes"."value") <= 2048)
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY NOT NULL,
	"pool_id" text NOT NULL,
	"username" text NOT NULL,
	"username_key" text NOT NULL,
	"status" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"password_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_id_pool_key" UNIQUE("id","pool_id"),
	CONSTRAINT "users_status_valid" CHECK ("users"."status" in ('UNCONFIRMED', 'CONFIRMED', 'FORCE_CHANGE_PASSWORD', 'RESET_REQUIRED'))
);
--> statement-breakpoint
CREATE TABLE "verification_codes" (
	"user_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"attribute_name" text NOT NULL,
	"destination" text NOT NULL,
	"code_hmac" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"consumed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "verification_codes_pkey" PRIMARY KEY("user_id","purpose","attribute_name"),
	CONSTRAINT "verification_codes_purpose_valid" CHECK ("verification_codes"."purpose" in ('SIGN_UP', 'VERIFY_ATTRIBUTE', 'FORGOT_PASSWORD'))
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"pool_id" text NOT NULL,
	"user_id" uuid NOT NULL,
	"username" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_kind" text NOT NULL,
	"client_id" text,
	"action" text NOT NULL,
	"details" jsonb NOT NULL,
	CONSTRAINT "audit_events_actor_valid" CHECK ("audit_events"."actor_kind" in ('user', 'admin'))
);
--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD CONSTRAINT "signing_keys_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "code_events" ADD CONSTRAINT "code_events_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_message_id_outbox_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."outbox_messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD CONSTRAINT "outbox_messages_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD CONSTRAINT "outbox_messages_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_attributes" ADD CONSTRAINT "user_attributes_user_fk" FOREIGN KEY ("user_id","pool_id") REFERENCES "public"."users"("id","pool_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_attributes" ADD CONSTRAINT "user_attributes_pool_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_codes" ADD CONSTRAINT "verification_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "clients_pool_idx" ON "clients" USING btree ("pool_id");--> statement-breakpoint
CREATE INDEX "pools_name_idx" ON "pools" USING btree ("name");--> statement-breakpoint
CREATE INDEX "signing_keys_pool_idx" ON "signing_keys" USING btree ("pool_id","created_at");--> statement-breakpoint
CREATE INDEX "code_events_user_kind_purpose_at_idx" ON "code_events" USING btree ("user_id","kind","purpose","at");--> statement-breakpoint
CREATE INDEX "delivery_attempts_message_idx" ON "delivery_attempts" USING btree ("message_id","attempt");--> statement-breakpoint
CREATE INDEX "outbox_messages_due_idx" ON "outbox_messages" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "outbox_messages_user_idx" ON "outbox_messages" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "refresh_tokens_hash_key" ON "refresh_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "refresh_tokens_user_idx" ON "refresh_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "user_attributes_alias_key" ON "user_attributes" USING btree ("pool_id","name","alias_key") WHERE "user_attributes"."alias_key" is not null;--> statement-breakpoint
CREATE INDEX "user_attributes_search_idx" ON "user_attributes" USING btree ("pool_id","name",(left(lower("value"), 256) collate "C"),"user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_pool_username_key" ON "users" USING btree ("pool_id","username_key");--> statement-breakpoint
CREATE INDEX "users_pool_username_search_idx" ON "users" USING btree ("pool_id",("username_key" collate "C"),"id");--> statement-breakpoint
CREATE INDEX "users_pool_status_idx" ON "users" USING btree ("pool_id",("status" collate "C"),"id");--> statement-breakpoint
CREATE INDEX "users_pool_enabled_idx" ON "users" USING btree ("pool_id","enabled","id");--> statement-breakpoint
CREATE INDEX "audit_events_user_seq_idx" ON "audit_events" USING btree ("pool_id","user_id","seq");