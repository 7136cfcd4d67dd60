CREATE TABLE "user_mfa" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"sms_enabled" boolean DEFAULT false NOT NULL,
	"software_token_enabled" boolean DEFAULT false NOT NULL,
	"email_enabled" boolean DEFAULT false NOT NULL,
	"preferred" text,
	"totp_secret" text,
	"totp_pending_secret" text,
	"totp_device_name" text,
	"totp_last_step" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_mfa_preferred_valid" CHECK ("user_mfa"."preferred" is null or "user_mfa"."preferred" in ('SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'))
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"device_key" text PRIMARY KEY NOT NULL,
	"pool_id" text NOT NULL,
	"user_id" uuid NOT NULL,
	"device_group_key" text NOT NULL,
	"srp_salt" text,
	"srp_verifier" text,
	"remembered_status" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_authenticated_at" timestamp with time zone,
	CONSTRAINT "devices_srp_pair" CHECK (("devices"."srp_salt" is null) = ("devices"."srp_verifier" is null)),
	CONSTRAINT "devices_remembered_status_valid" CHECK ("devices"."remembered_status" is null or "devices"."remembered_status" in ('remembered', 'not_remembered'))
);
--> statement-breakpoint
ALTER TABLE "pools" ADD COLUMN "mfa_configuration" text DEFAULT 'OFF' NOT NULL;--> statement-breakpoint
ALTER TABLE "pools" ADD COLUMN "mfa_factors" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "pools" ADD COLUMN "device_configuration" jsonb;--> statement-breakpoint
ALTER TABLE "pools" ADD COLUMN "sign_in_policy" jsonb DEFAULT '{"allowedFirstAuthFactors":["PASSWORD"]}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD COLUMN "device_key" text;--> statement-breakpoint
ALTER TABLE "user_mfa" ADD CONSTRAINT "user_mfa_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "devices_user_idx" ON "devices" USING btree ("user_id","created_at");--> statement-breakpoint
ALTER TABLE "pools" ADD CONSTRAINT "pools_mfa_configuration_valid" CHECK ("pools"."mfa_configuration" in ('OFF', 'ON', 'OPTIONAL'));