import { invalidParameter } from '../../errors/cognito-error.ts';
import type { AttributeDefinition, ClientAttributePermissions, PoolAttributeSettings } from './attributes.types.ts';
import { NEVER_CLIENT_WRITABLE } from './standard-attributes.ts';

function definitionOf(settings: PoolAttributeSettings, name: string): AttributeDefinition | undefined {
  return settings.schema.find((definition) => definition.name === name);
}

/** Checks an app client's lists when it is created or updated (docs/cognito-attributes.md §4, §3). */
export function validateClientPermissions(
  settings: PoolAttributeSettings,
  perms: ClientAttributePermissions,
  operation: 'create' | 'update',
): void {
  const suffix = operation === 'create' ? 'while creating a client' : 'while updating a client';
  const { readAttributes, writeAttributes } = perms;

  // The verified flags are schema entries, so they pass here as read names.
  if (readAttributes?.some((name) => !definitionOf(settings, name))) {
    throw invalidParameter(`Invalid read attributes specified ${suffix}`);
  }
  if (writeAttributes) {
    const invalid = writeAttributes.some((name) => !isClientWritable(definitionOf(settings, name)));
    // A client must be able to send every required attribute, or nobody could sign up through it.
    const missingRequired = settings.schema.some(
      (definition) => definition.required && isClientWritable(definition) && !writeAttributes.includes(definition.name),
    );
    if (invalid || missingRequired) throw invalidParameter(`Invalid write attributes specified ${suffix}`);
  }
}

/**
 * Whether a client may see an attribute. `sub` always; no list means everything but
 * developer-only attributes (docs/api.md, "Decisions"); a list means exactly what it names, each
 * verified flag included only when the flag itself is listed.
 */
export function canRead(settings: PoolAttributeSettings, perms: ClientAttributePermissions, name: string): boolean {
  if (name === 'sub') return true;
  const definition = definitionOf(settings, name);
  if (!definition) return false;
  return perms.readAttributes === null ? !definition.developerOnly : perms.readAttributes.includes(name);
}

/**
 * Whether a client may send an attribute. No list means every attribute a client can ever
 * write. Mutability is not a permission: immutable attributes may be given at creation,
 * and the engine refuses them on updates with Cognito's "Attribute cannot be updated".
 */
export function canWrite(settings: PoolAttributeSettings, perms: ClientAttributePermissions, name: string): boolean {
  if (!isClientWritable(definitionOf(settings, name))) return false;
  return perms.writeAttributes === null || perms.writeAttributes.includes(name);
}

/** `sub` and the verified flags are never client-writable; developer-only attributes are admin-only. */
function isClientWritable(definition: AttributeDefinition | undefined): boolean {
  return definition !== undefined && !definition.developerOnly && !NEVER_CLIENT_WRITABLE.has(definition.name);
}
