/**
 * Cognito's linking actions (IAM-authorised, SigV4-signed) over the provider links service
 * (docs/federation.md, "Users and linking").
 */
import { Type } from 'typebox';
import { UserPoolId } from './operation-inputs.ts';
import { adminOperation, type Operation } from './operation.ts';

/** Cognito's ProviderUserIdentifierType, each member optional in its model; the service names a missing one. */
const ProviderUser = Type.Object(
  {
    ProviderName: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    ProviderAttributeName: Type.Optional(Type.String({ maxLength: 2048 })),
    ProviderAttributeValue: Type.Optional(Type.String({ maxLength: 2048 })),
  },
  { additionalProperties: false },
);

const LinkInput = Type.Object(
  { UserPoolId, DestinationUser: ProviderUser, SourceUser: ProviderUser },
  { additionalProperties: true },
);
const DisableInput = Type.Object({ UserPoolId, User: ProviderUser }, { additionalProperties: true });

export const providerLinkOperations: Record<string, Operation> = {
  AdminLinkProviderForUser: adminOperation(LinkInput, async (input, { services }) => {
    await services.providerLinks.link(input.UserPoolId, input.DestinationUser, input.SourceUser);
    return {};
  }),

  AdminDisableProviderForUser: adminOperation(DisableInput, async (input, { services }) => {
    await services.providerLinks.disableProvider(input.UserPoolId, input.User);
    return {};
  }),
};
