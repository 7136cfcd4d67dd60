export { maskDestination, codeDeliveryDetails } from './mask.ts';
export type { CodeDeliveryDetails, DeliveryAttribute, DeliveryMedium } from './mask.ts';
export { renderMessage, defaultTemplates, escapeHtml } from './messages.ts';
export type { MessageTemplates, MessageValues, Purpose, RenderedMessage } from './messages.ts';
export { createCourier, createCourierFromConfig } from './courier.ts';
export type { Channel, Courier, DeliveryRequest, DeliveryResult, OutboundMessage } from './courier.ts';
export { createLogChannel } from './channels/log.channel.ts';
export { createSmtpChannel } from './channels/smtp.channel.ts';
export type { SmtpChannelOptions } from './channels/smtp.channel.ts';
