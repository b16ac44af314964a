export { FakeSlack, type FakeSlackOptions, type FakeSlackUrls, type RecordedCall, type Violation } from './fake-slack.js';
export type { Fault } from './faults.js';
export type { DisconnectReason, EnvelopeType, FakeSocketMode, SocketAck, SocketConnection, SocketEnvelope } from './socket-mode.js';
export type { BotIdentity, EphemeralMessage, SlackMessage } from './workspace.js';
export { MAX_MESSAGE_BLOCKS, MAX_MESSAGE_TEXT } from './block-kit.js';
