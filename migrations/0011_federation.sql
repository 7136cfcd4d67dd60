CREATE TABLE "federated_identities" (
	"pool_id" text NOT NULL,
	"provider_name" text NOT NULL,
	"subject" text NOT NULL,
	"provider_type" text NOT NULL,
	"user_id" uuid NOT NULL,
	"primary" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "federated_identities_pkey" PRIMARY KEY("pool_id","provider_name","subject")
);
--> statement-breakpoint
CREATE TABLE "federation_requests" (
	"state_hash" text PRIMARY KEY NOT NULL,
	"pool_id" text NOT NULL,
	"provider_name" text NOT NULL,
	"authorize_query" text NOT NULL,
	"redirect_uri" text NOT NULL,
	"nonce" text NOT NULL,
	"code_verifier" text NOT NULL,
	"browser_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identity_provider_identifiers" (
	"pool_id" text NOT NULL,
	"identifier" text NOT NULL,
	"provider_name" text NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "identity_provider_identifiers_pkey" PRIMARY KEY("pool_id","identifier")
);
--> statement-breakpoint
CREATE TABLE "identity_providers" (
	"pool_id" text NOT NULL,
	"provider_name" text NOT NULL,
	"provider_type" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"sealed_secrets" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"attribute_mapping" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identity_providers_pkey" PRIMARY KEY("pool_id","provider_name"),
	CONSTRAINT "identity_providers_type_valid" CHECK ("identity_providers"."provider_type" in ('OIDC', 'Google', 'Facebook', 'LoginWithAmazon', 'SignInWithApple'))
);
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_status_valid";--> statement-breakpoint
ALTER TABLE "federated_identities" ADD CONSTRAINT "federated_identities_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "federated_identities" ADD CONSTRAINT "federated_identities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "federation_requests" ADD CONSTRAINT "federation_requests_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_provider_identifiers" ADD CONSTRAINT "identity_provider_identifiers_provider_fk" FOREIGN KEY ("pool_id","provider_name") REFERENCES "public"."identity_providers"("pool_id","provider_name") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "identity_providers" ADD CONSTRAINT "identity_providers_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "federated_identities_user_idx" ON "federated_identities" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "federation_requests_expires_idx" ON "federation_requests" USING btree ("expires_at");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_status_valid" CHECK ("users"."status" in ('UNCONFIRMED', 'CONFIRMED', 'FORCE_CHANGE_PASSWORD', 'RESET_REQUIRED', 'EXTERNAL_PROVIDER'));