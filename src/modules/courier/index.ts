export { maskDestination, codeDeliveryDetails } from './mask.ts';
export type { CodeDeliveryDetails, DeliveryAttribute, DeliveryMedium } from './mask.ts';
export { renderMessage, defaultTemplates, escapeHtml } from './messages.ts';
export type { MessageTemplates, MessageValues, Purpose, RenderedMessage } from './messages.ts';
export { createCourier, createCourierFromConfig } from './courier.ts';
export type { Channel, Courier, DeliveryRequest, DeliveryResult, OutboundMessage } from './courier.ts';
export { createLogChannel } from './channels/log.channel.ts';
export { createSmtpChannel } from './channels/smtp.channel.ts';
export type { SmtpChannelOptions } from './channels/smtp.channel.ts';
export { createOutbox, defaultDeliveryPolicy, sealPayload, openPayload } from './outbox.ts';
export type {
  Outbox,
  QueuedMessage,
  EnqueueInput,
  DeliveryPolicy,
  RunDueResult,
  TemplatesHook,
  MessageContext,
  CustomMessageHook,
} from './outbox.ts';
export { createCustomMessages } from './custom-message.ts';
export { startDeliveryWorker } from './delivery-worker.ts';
export type { DeliveryWorker } from './delivery-worker.ts';
export { DeliveryError, noDeliveryMetrics } from './delivery-error.ts';
export type { DeliveryMetrics } from './delivery-error.ts';
