/**
 * The messages of the board client's last calls, for the inspector: every request and response
 * exactly as sent and received, kept for the last `limit` calls only and each message cut at
 * `maxMessageChars` (memory stays bounded on a board left running for days). Messages hold
 * certificates, signatures and encrypted tokens, never a private key: the client's keys stay in
 * its certificate store and are never written into a message.
 *
 * Each request's `wsa:MessageID` is indexed, so that the STS's or SMDB's decision event (which
 * names the MessageID it decided on) finds the exchange it was about.
 */

export interface CapturedMessage {
  /** As the client's dump hook names it, e.g. `001-sts-request.xml`. */
  name: string;
  step: 1 | 2;
  direction: "request" | "response";
  xml: string;
  /** The request's wsa:MessageID, or the MessageID a response relates to. */
  messageId: string | null;
  /** Whether the text was cut at the limit. */
  truncated: boolean;
}

export interface CallExchange {
  callId: number;
  messages: CapturedMessage[];
}

const MESSAGE_ID = /<(?:[\w.-]+:)?MessageID\b[^>]*>\s*([^<\s]+)\s*</;
const RELATES_TO = /<(?:[\w.-]+:)?RelatesTo\b[^>]*>\s*([^<\s]+)\s*</;

/** Step and direction from the dump hook's file name (`…-sts-request.xml`, `…-wsp-Ping-response.xml`). */
export function classifyDumpName(name: string): { step: 1 | 2; direction: "request" | "response" } {
  return {
    step: /-sts-/.test(name) ? 1 : 2,
    direction: /-request\.xml$/.test(name) ? "request" : "response",
  };
}

export class ExchangeLog {
  readonly #calls: CallExchange[] = [];
  readonly #byMessageId = new Map<string, number>();

  constructor(
    readonly limit = 50,
    readonly maxMessageChars = 256 * 1024,
  ) {}

  /** A recorder for one call's messages; `add` is the client's dump hook. */
  begin(callId: number): { add: (name: string, content: string | Buffer) => void } {
    const exchange: CallExchange = { callId, messages: [] };
    this.#calls.push(exchange);
    while (this.#calls.length > this.limit) {
      const dropped = this.#calls.shift()!;
      for (const m of dropped.messages) {
        if (m.messageId && this.#byMessageId.get(m.messageId) === dropped.callId)
          this.#byMessageId.delete(m.messageId);
      }
    }
    return {
      add: (name, content) => {
        const text = typeof content === "string" ? content : content.toString("utf8");
        const { step, direction } = classifyDumpName(name);
        const head = text.slice(0, 64 * 1024);
        const messageId = (direction === "request" ? MESSAGE_ID : RELATES_TO).exec(head)?.[1] ?? null;
        const truncated = text.length > this.maxMessageChars;
        exchange.messages.push({
          name,
          step,
          direction,
          xml: truncated ? text.slice(0, this.maxMessageChars) : text,
          messageId,
          truncated,
        });
        if (direction === "request" && messageId) this.#byMessageId.set(messageId, callId);
      },
    };
  }

  /** The messages of a call, if still kept. */
  call(callId: number): CallExchange | undefined {
    return this.#calls.find((c) => c.callId === callId);
  }

  /** The request with this MessageID and the response that relates to it, if still kept. */
  byMessageId(messageId: string): { callId: number; messages: CapturedMessage[] } | undefined {
    const callId = this.#byMessageId.get(messageId);
    if (callId === undefined) return undefined;
    const exchange = this.call(callId);
    if (!exchange) return undefined;
    // The request, and the response that follows it (a fault may carry no RelatesTo).
    const at = exchange.messages.findIndex((m) => m.direction === "request" && m.messageId === messageId);
    if (at === -1) return undefined;
    const request = exchange.messages[at]!;
    const next = exchange.messages[at + 1];
    const messages =
      next && next.direction === "response" && next.step === request.step ? [request, next] : [request];
    return { callId, messages };
  }

  get size(): number {
    return this.#calls.length;
  }
}
