// A Lambda pre sign-up trigger as written for AWS (async style), served unchanged by the adapter.
export const handler = async (event, context) => {
  const email = event.request.userAttributes.email ?? '';
  if (email.endsWith('@blocked.example.com')) {
    throw new Error(`Sign-ups from ${email.split('@')[1]} are not allowed`);
  }
  if (email.endsWith('@partner.example.com')) {
    event.response.autoConfirmUser = true;
    event.response.autoVerifyEmail = true;
  }
  // What the adapter gives as context, for the test to see.
  if (event.userName === 'context') event.response.remainingMs = context.getRemainingTimeInMillis();
  return event;
};
