/**
 * The client side of a kernel's ZeroMQ channels (Jupyter client docs, "Messaging in Jupyter"):
 * shell and control are DEALER sockets (request → reply, matched by the reply's parent msg_id),
 * iopub is a SUB socket subscribed to everything (status, streams, displays, results, errors).
 * No stdin (requests say allow_stdin: false) and no heartbeat: the runner owns the kernel process
 * and learns of its death from the process itself (kernel-manager.ts).
 */
import * as zmq from 'zeromq';
import { channelAddress, ConnectionInfo } from './connection';
import { JsonObject, Message, MessageCodec } from './message';

export type IopubListener = (message: Message) => void;

interface Pending {
  resolve: (reply: Message) => void;
  reject: (error: Error) => void;
}

export class KernelClient {
  readonly codec: MessageCodec;
  private readonly shell: zmq.Dealer;
  private readonly control: zmq.Dealer;
  private readonly iopub: zmq.Subscriber;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<IopubListener>();
  private closed = false;
  /** Messages dropped because their signature did not verify or they were malformed. */
  rejectedMessages = 0;

  constructor(readonly info: ConnectionInfo) {
    this.codec = new MessageCodec(info.key);
    this.shell = new zmq.Dealer({ linger: 0 });
    this.control = new zmq.Dealer({ linger: 0 });
    this.iopub = new zmq.Subscriber({ linger: 0 });
    this.shell.connect(channelAddress(info, 'shell'));
    this.control.connect(channelAddress(info, 'control'));
    this.iopub.connect(channelAddress(info, 'iopub'));
    this.iopub.subscribe();
    void this.readReplies(this.shell);
    void this.readReplies(this.control);
    void this.readIopub();
  }

  /** Call `listener` with every IOPub message until the returned function is called. */
  onIopub(listener: IopubListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Send a request on shell or control; `reply` resolves with the kernel's reply (whose
   * parent_header.msg_id is `msgId`) and rejects when the client is closed first.
   */
  request(channel: 'shell' | 'control', msgType: string, content: JsonObject): { msgId: string; reply: Promise<Message> } {
    if (this.closed) throw new Error(`kernel client is closed; cannot send ${msgType}`);
    const message = this.codec.request(msgType, content);
    const msgId = message.header.msg_id;
    const reply = new Promise<Message>((resolve, reject) => this.pending.set(msgId, { resolve, reject }));
    reply.catch(() => undefined); // a caller that stops waiting must not cause an unhandled rejection
    const socket = channel === 'shell' ? this.shell : this.control;
    socket.send(this.codec.encode(message)).catch((e: unknown) => {
      const p = this.pending.get(msgId);
      this.pending.delete(msgId);
      p?.reject(e instanceof Error ? e : new Error(String(e)));
    });
    return { msgId, reply };
  }

  /** Close the sockets; pending requests reject. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const socket of [this.shell, this.control, this.iopub]) socket.close();
    for (const p of this.pending.values()) p.reject(new Error('kernel client closed'));
    this.pending.clear();
    this.listeners.clear();
  }

  private decode(frames: Buffer[]): Message | undefined {
    try {
      return this.codec.decode(frames).message;
    } catch {
      this.rejectedMessages++;
      return undefined;
    }
  }

  private async readReplies(socket: zmq.Dealer): Promise<void> {
    try {
      for await (const frames of socket) {
        const message = this.decode(frames);
        const parent = message?.parent_header.msg_id;
        if (!message || !parent) continue;
        const p = this.pending.get(parent);
        if (!p) continue;
        this.pending.delete(parent);
        p.resolve(message);
      }
    } catch (e) {
      if (!this.closed) throw e;
    }
  }

  private async readIopub(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const message = this.decode(frames);
        if (!message) continue;
        for (const listener of [...this.listeners]) listener(message);
      }
    } catch (e) {
      if (!this.closed) throw e;
    }
  }
}
