/**
 * A pool's Amazon Resource Name, as DescribeUserPool shows it and the tag actions take it
 * (docs/pools.md): `arn:aws:cognito-idp:<region>:<account>:userpool/<poolId>`. The region is the
 * pool id's prefix, as in Cognito; Cognate has no AWS account, so the account is twelve zeros.
 */
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';

export const ARN_ACCOUNT = '000000000000';

export function poolArn(poolId: string): string {
  const region = poolId.slice(0, poolId.indexOf('_'));
  return `arn:aws:cognito-idp:${region}:${ARN_ACCOUNT}:userpool/${poolId}`;
}

const POOL_ARN = /^arn:aws:cognito-idp:([a-z0-9-]{1,32}):(\d{12}):userpool\/([a-z0-9-]{1,32}_[A-Za-z0-9]{9})$/;

/**
 * The pool id an ARN names. An ARN of another resource (a client, an identity pool, another
 * service) is InvalidParameterException; one naming a pool in another region or account than the
 * id and Cognate say is no pool here (ResourceNotFoundException).
 */
export function poolIdOfArn(arn: string): string {
  const match = POOL_ARN.exec(arn);
  if (!match) {
    const shown = arn.length > 128 ? `${arn.slice(0, 128)}…` : arn;
    throw invalidParameter(
      `${shown} is not the ARN of a user pool: expected arn:aws:cognito-idp:<region>:<account>:userpool/<user pool id>.`,
    );
  }
  const [, region, account, poolId] = match as unknown as [string, string, string, string];
  if (account !== ARN_ACCOUNT || !poolId.startsWith(`${region}_`))
    throw new CognitoError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
  return poolId;
}
