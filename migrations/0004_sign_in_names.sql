CREATE TABLE "sign_in_names" (
	"pool_id" text NOT NULL,
	"name_key" text NOT NULL,
	"user_id" uuid NOT NULL,
	"source" text NOT NULL,
	CONSTRAINT "sign_in_names_pkey" PRIMARY KEY("pool_id","name_key"),
	CONSTRAINT "sign_in_names_source_valid" CHECK ("sign_in_names"."source" in ('username', 'email', 'phone_number', 'preferred_username'))
);
--> statement-breakpoint
ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_actor_valid";--> statement-breakpoint
DROP INDEX "user_attributes_alias_key";--> statement-breakpoint
ALTER TABLE "sign_in_names" ADD CONSTRAINT "sign_in_names_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sign_in_names" ADD CONSTRAINT "sign_in_names_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sign_in_names_user_idx" ON "sign_in_names" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_actor_valid" CHECK ("audit_events"."actor_kind" in ('user', 'admin', 'system'));