export type DeliveryAttribute = 'email' | 'phone_number';
import type { DeliveryMedium } from './courier.types.ts';

export type { DeliveryMedium } from './courier.types.ts';

export interface CodeDeliveryDetails {
  destination: string;
  deliveryMedium: DeliveryMedium;
  attributeName: DeliveryAttribute;
}

/** First character by code point, so a non-ASCII initial is not cut in half. */
function initial(s: string): string {
  return Array.from(s)[0] ?? '';
}

/** Cognito's masks, as decided in docs/api.md, "Decisions" (docs/cognito-attributes.md §5.7): `j***@e***` and `+********1234`. */
export function maskDestination(attributeName: DeliveryAttribute, value: string): string {
  if (attributeName === 'phone_number') {
    return `+********${value.replace(/\D/g, '').slice(-4)}`;
  }
  const at = value.lastIndexOf('@');
  if (at < 0) return `${initial(value)}***`;
  return `${initial(value.slice(0, at))}***@${initial(value.slice(at + 1))}***`;
}

export function codeDeliveryDetails(attributeName: DeliveryAttribute, value: string): CodeDeliveryDetails {
  return {
    destination: maskDestination(attributeName, value),
    deliveryMedium: attributeName === 'email' ? 'EMAIL' : 'SMS',
    attributeName,
  };
}
