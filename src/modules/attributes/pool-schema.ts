import { invalidParameter } from '../../errors/cognito-error.ts';
import { MAX_VALUE_LENGTH, NAME_PATTERN, NAME_PATTERN_TEXT, charCount } from './attribute-values.ts';
import type {
  AliasAttribute,
  AttributeDefinition,
  PoolAttributeSettings,
  PoolAttributeSettingsInput,
  SchemaAttributeInput,
} from './attributes.types.ts';
import { STANDARD_ATTRIBUTES, VERIFIABLE_ATTRIBUTES, flagOwner, isStandardAttribute } from './standard-attributes.ts';

export const MAX_CUSTOM_ATTRIBUTES = 50;
const MAX_CUSTOM_NAME_LENGTH = 20;
const ALIASES: readonly AliasAttribute[] = ['email', 'phone_number', 'preferred_username'];

/** Validates a pool's attribute configuration at creation (docs/cognito-attributes.md §1.1, §2, §3, §5.4, §6). */
export function buildPoolAttributeSettings(input: PoolAttributeSettingsInput): PoolAttributeSettings {
  const aliasAttributes = checkList('aliasAttributes', input.aliasAttributes, ALIASES);
  const usernameAttributes = checkList('usernameAttributes', input.usernameAttributes, VERIFIABLE_ATTRIBUTES);
  const autoVerifiedAttributes = checkList(
    'autoVerifiedAttributes',
    input.autoVerifiedAttributes,
    VERIFIABLE_ATTRIBUTES,
  );
  const keepOriginalAttributes = checkList(
    'keepOriginalAttributes',
    input.keepOriginalAttributes,
    VERIFIABLE_ATTRIBUTES,
  );

  if (aliasAttributes.length > 0 && usernameAttributes.length > 0) {
    throw invalidParameter('Only one of aliasAttributes or usernameAttributes can be set in a user pool.');
  }
  if (keepOriginalAttributes.some((name) => !autoVerifiedAttributes.includes(name))) {
    throw invalidParameter(
      'All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes',
    );
  }

  const standard = STANDARD_ATTRIBUTES.map((definition) => copyDefinition(definition));
  const custom: AttributeDefinition[] = [];
  const seen = new Set<string>();
  (input.schema ?? []).forEach((attribute, index) => {
    if (seen.has(attribute.name)) throw invalidParameter(`Duplicate attribute name in schema: ${attribute.name}.`);
    seen.add(attribute.name);
    const position = standard.findIndex((definition) => definition.name === attribute.name);
    const definition = standard[position];
    if (definition && !isVerifiedFlag(attribute.name)) standard[position] = overrideStandard(definition, attribute);
    else custom.push(customDefinition(attribute, index));
  });
  checkCustomCount(custom.length);

  const preferredUsername = standard.find((definition) => definition.name === 'preferred_username');
  if (preferredUsername?.required && aliasAttributes.includes('preferred_username')) {
    throw invalidParameter('preferred_username cannot be both a required attribute and an alias.');
  }

  return {
    schema: [...standard, ...custom],
    aliasAttributes,
    usernameAttributes,
    autoVerifiedAttributes,
    keepOriginalAttributes,
  };
}

/** AddCustomAttributes: appends custom attributes; existing ones can never change. Returns a new object. */
export function addCustomAttributes(
  settings: PoolAttributeSettings,
  inputs: SchemaAttributeInput[],
): PoolAttributeSettings {
  if (inputs.length === 0) throw invalidParameter('At least one custom attribute must be given.');
  const schema = settings.schema.map((definition) => copyDefinition(definition));
  inputs.forEach((attribute, index) => {
    if (isStandardAttribute(attribute.name) && !isVerifiedFlag(attribute.name)) {
      throw invalidParameter(
        `${attribute.name}: Standard attributes are configured when the pool is created; only custom attributes can be added.`,
      );
    }
    const definition = customDefinition(attribute, index);
    const taken = schema.find((existing) => bareCustomName(existing.name) === attribute.name);
    if (taken) throw invalidParameter(`${taken.name}: Existing attribute already has name ${taken.name}.`);
    schema.push(definition);
  });
  checkCustomCount(schema.filter((definition) => !isStandardAttribute(definition.name)).length);
  return { ...copyLists(settings), schema };
}

function overrideStandard(definition: AttributeDefinition, input: SchemaAttributeInput): AttributeDefinition {
  const { name } = definition;
  if (input.attributeDataType !== undefined && input.attributeDataType !== definition.attributeDataType) {
    throw invalidParameter(`${name}: The data type of a standard attribute cannot be changed.`);
  }
  if (input.developerOnly) throw invalidParameter(`${name}: A standard attribute cannot be developer-only.`);
  if (input.searchable)
    throw invalidParameter(
      `${name}: Only custom attributes can be made searchable; standard ones follow Cognito's list.`,
    );
  // Tools such as Terraform restate the standard constraints; accept those, reject real changes.
  if (
    !sameConstraints(input.stringConstraints, definition.stringConstraints) ||
    !sameConstraints(input.numberConstraints, definition.numberConstraints)
  ) {
    throw invalidParameter(`${name}: The constraints of a standard attribute cannot be changed.`);
  }
  const required = input.required ?? definition.required;
  const mutable = input.mutable ?? definition.mutable;
  if (name === 'sub' && (!required || mutable)) throw invalidParameter('sub: The sub attribute cannot be changed.');
  return { ...definition, required, mutable };
}

function customDefinition(input: SchemaAttributeInput, index: number): AttributeDefinition {
  const { name } = input;
  const field = `schema.${index + 1}.member.name`;
  // Decision: Cognito silently creates custom:custom:x from custom:x (provider-upjet-aws #427); we refuse the mistake.
  if (name.startsWith('custom:') || name.startsWith('dev:')) {
    throw invalidParameter(
      `${name}: Give the bare name of a custom attribute; the custom: (or dev:custom:) prefix is added automatically.`,
    );
  }
  // Cognito's own validation text, which is also what it answers for phone_number_verified (21 characters).
  const length = charCount(name);
  if (length < 1) {
    throw invalidParameter(
      `Value '${name}' at '${field}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  }
  if (length > MAX_CUSTOM_NAME_LENGTH) {
    throw invalidParameter(
      `Value '${name}' at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_CUSTOM_NAME_LENGTH}`,
    );
  }
  if (!NAME_PATTERN.test(name)) {
    throw invalidParameter(
      `Value '${name}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME_PATTERN_TEXT}`,
    );
  }
  if (isVerifiedFlag(name)) throw invalidParameter(`${name}: Verified flags are built in and cannot be configured.`);
  if (input.required) throw invalidParameter('Required custom attributes are not supported currently.');

  const fullName = `${input.developerOnly ? 'dev:' : ''}custom:${name}`;
  const attributeDataType = input.attributeDataType ?? 'String';
  const definition: AttributeDefinition = {
    name: fullName,
    attributeDataType,
    mutable: input.mutable ?? true,
    required: false,
    developerOnly: input.developerOnly ?? false,
    ...(input.searchable && { searchable: true }),
  };
  const { stringConstraints, numberConstraints } = input;
  if (stringConstraints && attributeDataType !== 'String') {
    throw invalidParameter(`${fullName}: String constraints apply only to String attributes.`);
  }
  if (numberConstraints && attributeDataType !== 'Number') {
    throw invalidParameter(`${fullName}: Number constraints apply only to Number attributes.`);
  }
  if (stringConstraints) definition.stringConstraints = checkStringConstraints(fullName, stringConstraints);
  if (numberConstraints) definition.numberConstraints = checkNumberConstraints(fullName, numberConstraints);
  return definition;
}

function checkStringConstraints(name: string, { minLength, maxLength }: { minLength?: number; maxLength?: number }) {
  for (const bound of [minLength, maxLength]) {
    if (bound !== undefined && (!Number.isInteger(bound) || bound < 0)) {
      throw invalidParameter(`${name}: String length constraints must be non-negative integers.`);
    }
  }
  if (maxLength !== undefined && maxLength > MAX_VALUE_LENGTH) {
    throw invalidParameter(`${name}: String attributes cannot have a length of more than ${MAX_VALUE_LENGTH}`);
  }
  if ((minLength ?? 0) > (maxLength ?? MAX_VALUE_LENGTH)) {
    throw invalidParameter(`${name}: MinLength cannot be greater than MaxLength.`);
  }
  return { ...(minLength !== undefined && { minLength }), ...(maxLength !== undefined && { maxLength }) };
}

/** Integers only, because Number values are integers (see attribute-values.ts). */
function checkNumberConstraints(name: string, { minValue, maxValue }: { minValue?: number; maxValue?: number }) {
  for (const bound of [minValue, maxValue]) {
    if (bound !== undefined && !Number.isSafeInteger(bound)) {
      throw invalidParameter(`${name}: Number constraints must be integers.`);
    }
  }
  if (minValue !== undefined && maxValue !== undefined && minValue > maxValue) {
    throw invalidParameter(`${name}: MinValue cannot be greater than MaxValue.`);
  }
  return { ...(minValue !== undefined && { minValue }), ...(maxValue !== undefined && { maxValue }) };
}

function checkList<T extends string>(field: string, list: T[] | undefined, allowed: readonly T[]): T[] {
  const values = list ?? [];
  for (const value of values) {
    if (!allowed.includes(value)) throw invalidParameter(`${field}: ${value} is not one of ${allowed.join(', ')}.`);
  }
  if (new Set(values).size !== values.length) throw invalidParameter(`${field}: Duplicate values are not allowed.`);
  return [...values];
}

function checkCustomCount(count: number): void {
  if (count > MAX_CUSTOM_ATTRIBUTES) {
    throw invalidParameter(`A user pool can have at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes.`);
  }
}

/** Undefined means "not restated"; otherwise every given bound must equal the standard one. */
function sameConstraints(given: object | undefined, standard: object | undefined): boolean {
  if (given === undefined) return true;
  const expected: Record<string, unknown> = { ...standard };
  return Object.entries(given).every(([key, value]) => value === undefined || expected[key] === value);
}

function isVerifiedFlag(name: string): boolean {
  return flagOwner(name) !== undefined;
}

function bareCustomName(name: string): string {
  return name.replace(/^(dev:)?custom:/, '');
}

function copyDefinition(definition: Readonly<AttributeDefinition>): AttributeDefinition {
  const copy: AttributeDefinition = { ...definition };
  if (definition.stringConstraints) copy.stringConstraints = { ...definition.stringConstraints };
  if (definition.numberConstraints) copy.numberConstraints = { ...definition.numberConstraints };
  return copy;
}

function copyLists(settings: PoolAttributeSettings): Omit<PoolAttributeSettings, 'schema'> {
  return {
    aliasAttributes: [...settings.aliasAttributes],
    usernameAttributes: [...settings.usernameAttributes],
    autoVerifiedAttributes: [...settings.autoVerifiedAttributes],
    keepOriginalAttributes: [...settings.keepOriginalAttributes],
  };
}
