/**
 * The code of Amplify's "Manage user attributes" guide (shared/seed/), as written there: the
 * handlers below are the guide's, unchanged but for layout and `export`. The test drives them
 * against Cognate and reads what they print.
 */
import {
  confirmUserAttribute,
  deleteUserAttributes,
  fetchUserAttributes,
  sendUserAttributeVerificationCode,
  signUp,
  updateUserAttribute,
  updateUserAttributes,
  type ConfirmUserAttributeInput,
  type DeleteUserAttributesInput,
  type UpdateUserAttributeOutput,
  type VerifiableUserAttributeKey,
} from 'aws-amplify/auth';

// "Pass user attributes during sign-up"
export const signUpWithStandardAttributes = () =>
  signUp({
    username: 'jdoe',
    password: 'mysecurerandompassword#123',
    options: {
      userAttributes: {
        email: 'me@domain.com',
        phone_number: '+12128601234', // E.164 number convention
        given_name: 'Jane',
        family_name: 'Doe',
        nickname: 'Jane',
      },
    },
  });

// "Configure custom user attributes during sign-up"
export const signUpWithCustomAttribute = () =>
  signUp({
    username: 'john.doe@example.com',
    password: 'hunter2',
    options: {
      userAttributes: {
        'custom:display_name': 'john_doe123',
      },
    },
  });

// "Retrieve user attributes"
export const retrieveUserAttributes = () => fetchUserAttributes();

// "Update user attribute"
export async function handleUpdateUserAttribute(attributeKey: string, value: string) {
  try {
    const output = await updateUserAttribute({
      userAttribute: {
        attributeKey,
        value,
      },
    });
    handleUpdateUserAttributeNextSteps(output);
  } catch (error) {
    console.log(error);
  }
}

export function handleUpdateUserAttributeNextSteps(output: UpdateUserAttributeOutput) {
  const { nextStep } = output;

  switch (nextStep.updateAttributeStep) {
    case 'CONFIRM_ATTRIBUTE_WITH_CODE': {
      const codeDeliveryDetails = nextStep.codeDeliveryDetails;
      console.log(`Confirmation code was sent to ${codeDeliveryDetails?.deliveryMedium}.`);
      // Collect the confirmation code from the user and pass to confirmUserAttribute.
      break;
    }
    case 'DONE':
      console.log(`attribute was successfully updated.`);
      break;
  }
}

// "Update user attributes"
export const updateEmailAndName = () =>
  updateUserAttributes({
    userAttributes: {
      email: 'me@domain.com',
      name: 'Jon Doe',
    },
  });

// "Verify user attribute"
export async function handleConfirmUserAttribute({ userAttributeKey, confirmationCode }: ConfirmUserAttributeInput) {
  try {
    await confirmUserAttribute({ userAttributeKey, confirmationCode });
  } catch (error) {
    console.log(error);
  }
}

// "Send user attribute verification code"
export async function handleSendUserAttributeVerificationCode(key: VerifiableUserAttributeKey) {
  try {
    await sendUserAttributeVerificationCode({
      userAttributeKey: key,
    });
  } catch (error) {
    console.log(error);
  }
}

// "Delete user attributes"
export async function handleDeleteUserAttributes(keys: DeleteUserAttributesInput['userAttributeKeys']) {
  try {
    await deleteUserAttributes({
      userAttributeKeys: ['custom:my_custom_attribute', ...keys],
    });
  } catch (error) {
    console.log(error);
  }
}
