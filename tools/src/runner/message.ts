/**
 * Jupyter messages on the wire: headers, HMAC-SHA256 signing and ZeroMQ framing
 * (Jupyter client docs, "Messaging in Jupyter" → "The Wire Protocol", protocol version 5.3).
 *
 * A message is sent as the frames
 *   [routing identities…, "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers…]
 * where signature = hex HMAC-SHA256 over the four JSON frames (empty when the key is empty).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'crypto';

export const DELIMITER = '<IDS|MSG>';
export const PROTOCOL_VERSION = '5.3';

export type JsonObject = { [key: string]: unknown };

export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

export interface Message<C extends JsonObject = JsonObject> {
  header: MessageHeader;
  /** The header of the request this message answers; `{}` for requests. */
  parent_header: Partial<MessageHeader>;
  metadata: JsonObject;
  content: C;
  buffers: Buffer[];
}

/** Signs and verifies messages of one kernel connection. */
export class MessageCodec {
  constructor(
    private readonly key: string,
    readonly session: string = randomUUID(),
    readonly username: string = 'genbook',
  ) {}

  /** A new request message from this session. */
  request<C extends JsonObject>(msgType: string, content: C, metadata: JsonObject = {}): Message<C> {
    return {
      header: {
        msg_id: randomUUID(),
        msg_type: msgType,
        session: this.session,
        username: this.username,
        date: new Date().toISOString(),
        version: PROTOCOL_VERSION,
      },
      parent_header: {},
      metadata,
      content,
      buffers: [],
    };
  }

  /** hex HMAC-SHA256 of the header, parent, metadata and content frames ('' without a key). */
  sign(frames: readonly (Buffer | string)[]): string {
    if (this.key === '') return '';
    const hmac = createHmac('sha256', this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest('hex');
  }

  /** The frames to send for `message`, after the routing identities `identities`. */
  encode(message: Message, identities: readonly Buffer[] = []): Buffer[] {
    const body = [message.header, message.parent_header, message.metadata, message.content].map((part) => Buffer.from(JSON.stringify(part), 'utf8'));
    return [...identities, Buffer.from(DELIMITER), Buffer.from(this.sign(body)), ...body, ...message.buffers];
  }

  /**
   * Parse received frames; throws when the delimiter is missing, a frame is not JSON, or the
   * signature does not match (a message from someone without the key).
   */
  decode(frames: readonly Buffer[]): { identities: Buffer[]; message: Message } {
    const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString('latin1') === DELIMITER);
    if (at === -1) throw new Error('malformed Jupyter message: no <IDS|MSG> delimiter');
    if (frames.length < at + 6) throw new Error(`malformed Jupyter message: ${frames.length - at - 1} frames after the delimiter, need at least 5`);
    const signature = frames[at + 1].toString('latin1');
    const body = frames.slice(at + 2, at + 6);
    const expected = this.sign(body);
    if (this.key !== '') {
      const a = Buffer.from(signature, 'latin1');
      const b = Buffer.from(expected, 'latin1');
      if (a.length !== b.length || !timingSafeEqual(a, b)) throw new Error('Jupyter message with an invalid signature (HMAC mismatch)');
    }
    const [header, parent, metadata, content] = body.map((f) => JSON.parse(f.toString('utf8')) as JsonObject);
    return {
      identities: frames.slice(0, at),
      message: {
        header: header as unknown as MessageHeader,
        parent_header: parent as Partial<MessageHeader>,
        metadata,
        content,
        buffers: frames.slice(at + 6),
      },
    };
  }
}
