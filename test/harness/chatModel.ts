/**
 * A stand-in for an OpenAI-compatible language model on loopback (GET /v1/models, POST
 * /v1/chat/completions, no streaming), so a real n8n AI Agent can run offline. It thinks nothing:
 * each answer is the next step of a script the test writes, and every request is kept so the
 * test can read what the agent offered the model (tools) and what the tools answered.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatMessage {
	role: string;
	content?: string | null | Array<{ type: string; text?: string }>;
	tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
}

export interface ChatTool {
	type: string;
	function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface ChatRequest {
	model: string;
	messages: ChatMessage[];
	tools?: ChatTool[];
	stream?: boolean;
}

/** One reply of the model: call a tool with these arguments, or answer the user. */
export type ChatReply = { call: string; arguments: Record<string, unknown> } | { answer: string };

/** Decides the reply to a request (the requests so far are given too). */
export type ChatScript = (request: ChatRequest, turn: number) => ChatReply;

export const contentText = (message: ChatMessage): string =>
	typeof message.content === 'string'
		? message.content
		: (message.content ?? []).map((part) => part.text ?? '').join('');

/** The answers the tools gave so far, in order (the messages of role "tool"). */
export const toolAnswers = (request: ChatRequest): string[] =>
	request.messages.filter((message) => message.role === 'tool').map(contentText);

export class ChatModelStandIn {
	readonly apiKey = 'sk-stand-in-model-key';
	readonly requests: ChatRequest[] = [];
	script: ChatScript = () => ({ answer: 'No script was given.' });
	private server?: http.Server;

	get url(): string {
		const address = this.server?.address() as AddressInfo | null;
		if (!address) throw new Error('The chat model stand-in is not started');
		return `http://127.0.0.1:${address.port}/v1`;
	}

	async start(): Promise<void> {
		this.server = http.createServer((request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => this.answer(request, Buffer.concat(chunks).toString(), response));
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
	}

	async stop(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (server) await new Promise((resolve) => server.close(resolve));
	}

	reset(script: ChatScript): void {
		this.requests.length = 0;
		this.script = script;
	}

	private answer(request: http.IncomingMessage, text: string, response: http.ServerResponse) {
		const send = (status: number, body: unknown) => {
			response.writeHead(status, { 'content-type': 'application/json' });
			response.end(JSON.stringify(body));
		};
		const error = (status: number, message: string) =>
			send(status, { error: { message, type: 'invalid_request_error' } });
		if (request.headers.authorization !== `Bearer ${this.apiKey}`)
			return error(401, 'Incorrect API key provided.');
		const url = new URL(request.url ?? '/', 'http://stand-in');
		if (request.method === 'GET' && url.pathname === '/v1/models')
			return send(200, {
				object: 'list',
				data: [{ id: 'stand-in-model', object: 'model', created: 0, owned_by: 'tests' }],
			});
		if (request.method !== 'POST' || url.pathname !== '/v1/chat/completions')
			return error(404, `No route ${request.method} ${url.pathname}`);
		const body = JSON.parse(text) as ChatRequest;
		if (body.stream) return error(400, 'The stand-in answers without streaming only.');
		this.requests.push(body);
		let reply: ChatReply;
		try {
			reply = this.script(body, this.requests.length);
		} catch (scriptError) {
			return error(400, `The script failed: ${(scriptError as Error).message}`);
		}
		const offered = (body.tools ?? []).map((tool) => tool.function.name);
		if ('call' in reply && !offered.includes(reply.call))
			return error(400, `No tool "${reply.call}" was offered (offered: ${offered.join(', ')})`);
		const message =
			'call' in reply
				? {
						role: 'assistant',
						content: null,
						tool_calls: [
							{
								id: `call_${this.requests.length}`,
								type: 'function',
								function: { name: reply.call, arguments: JSON.stringify(reply.arguments) },
							},
						],
					}
				: { role: 'assistant', content: reply.answer };
		send(200, {
			id: `chatcmpl-${this.requests.length}`,
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model: body.model,
			choices: [
				{
					index: 0,
					message,
					logprobs: null,
					finish_reason: 'call' in reply ? 'tool_calls' : 'stop',
				},
			],
			usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
		});
	}
}
