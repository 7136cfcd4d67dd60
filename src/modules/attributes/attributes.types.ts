/** Shapes shared by the attribute engine and its callers (services, routes, storage). */

export type AttributeDataType = 'String' | 'Number' | 'DateTime' | 'Boolean';

/** One entry of a pool's attribute schema, as stored (JSONB) and described. */
export interface AttributeDefinition {
  /** Full name as used in user APIs and tokens: `email`, `custom:plan`, `dev:custom:x`. */
  name: string;
  attributeDataType: AttributeDataType;
  mutable: boolean;
  required: boolean;
  developerOnly: boolean;
  stringConstraints?: { minLength?: number; maxLength?: number };
  numberConstraints?: { minValue?: number; maxValue?: number };
  /** Custom attributes only, set only when true: ListUsers may filter on it (standard ones have Cognito's fixed list). */
  searchable?: boolean;
}

/** How a pool's schema is declared at creation (and for AddCustomAttributes). */
export interface SchemaAttributeInput {
  /** Standard name to override `required`/`mutable`, or a bare custom name (no `custom:` prefix). */
  name: string;
  attributeDataType?: AttributeDataType;
  mutable?: boolean;
  required?: boolean;
  developerOnly?: boolean;
  stringConstraints?: { minLength?: number; maxLength?: number };
  numberConstraints?: { minValue?: number; maxValue?: number };
  /** Custom attributes only (default false): ListUsers may filter on it. */
  searchable?: boolean;
}

export type VerifiableAttribute = 'email' | 'phone_number';
export type AliasAttribute = 'email' | 'phone_number' | 'preferred_username';

export interface PoolAttributeSettingsInput {
  schema?: SchemaAttributeInput[];
  aliasAttributes?: AliasAttribute[];
  usernameAttributes?: VerifiableAttribute[];
  autoVerifiedAttributes?: VerifiableAttribute[];
  /** Cognito's AttributesRequireVerificationBeforeUpdate ("keep original until verified"). */
  keepOriginalAttributes?: VerifiableAttribute[];
}

/** The attribute half of a pool's configuration, after validation. */
export interface PoolAttributeSettings {
  /** The 20 standard attributes in Cognito's order, then custom ones in order of addition. */
  schema: AttributeDefinition[];
  aliasAttributes: AliasAttribute[];
  usernameAttributes: VerifiableAttribute[];
  autoVerifiedAttributes: VerifiableAttribute[];
  keepOriginalAttributes: VerifiableAttribute[];
}

/** An app client's attribute lists; `null` means "no list" (docs/api.md, "Decisions"). */
export interface ClientAttributePermissions {
  readAttributes: string[] | null;
  writeAttributes: string[] | null;
}

/** Who is writing: a user through an app client (permissions apply) or an administrator. */
export type Actor = { kind: 'user'; client: ClientAttributePermissions } | { kind: 'admin' };

/** What is stored for one attribute of one user. */
export interface StoredAttribute {
  value: string;
  /** Only for email and phone_number. */
  verified?: boolean;
  /** Keep-original mode: a new value awaiting verification. */
  pendingValue?: string | null;
}

/** A user's attributes by full name, `sub` included. Verified flags live on their attribute. */
export type UserAttributeState = Record<string, StoredAttribute>;

/** What a sign-up or admin create may store. */
export interface NewUserAttributes {
  /** Attribute values by full name (no `sub`, no verified flags). */
  values: Record<string, string>;
  /** Verified flags given by an administrator at creation. */
  verified: Partial<Record<VerifiableAttribute, boolean>>;
}

/** What an update does, decided by the engine, carried out by the users service. */
export interface UpdatePlan {
  /** New current values to store now (verified flag handled by `verified`). */
  set: Record<string, string>;
  /** Attributes to delete (blank value, or delete operation). */
  delete: string[];
  /** Keep-original: new values to hold pending; the current value stays. */
  pending: Partial<Record<VerifiableAttribute, string>>;
  /** Pending values to drop (the user wrote the current value again). */
  clearPending: VerifiableAttribute[];
  /** Verified flags to set to the given value. */
  verified: Partial<Record<VerifiableAttribute, boolean>>;
  /** Attributes (email before phone_number) whose new or pending value needs a code now. */
  codesFor: VerifiableAttribute[];
  /** Names sent with the same value they already have: nothing happens. */
  unchanged: string[];
}
