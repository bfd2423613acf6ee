/**
 * Journey: Seedance as an AI Agent's tools, in a workflow run with `n8n execute`.
 * The package inside real n8n installs (each version of N8N_VERSIONS) against the emulator on
 * loopback; every claim checked in what n8n itself recorded (its database and binary data store).
 */
import { Emulator } from '../emulator/server';
import { ChatModelStandIn, toolAnswers, type ChatRequest } from '../harness/chatModel';
import type { RealN8n } from '../harness/realN8n';
import { eachRealN8n } from './journey';
import { credentialRef, manual, node, outputOf } from './workflows';

const MODEL_CREDENTIAL = 'modelStandIn001';

const emulator = new Emulator({ latencyMs: 1500 });
const model = new ChatModelStandIn();

beforeAll(async () => await model.start());
afterAll(async () => await model.stop());

eachRealN8n(
	emulator,
	(version, current) => {
		let n8n: RealN8n;
		beforeAll(() => {
			n8n = current();
		});

		it("8. As an AI Agent's tools (OpenAI Chat Model on a stand-in model): Generate answers at once, Wait waits, both compact; the agent answers with the video", async () => {
			const prompt = 'A lighthouse at dawn, waves crashing';
			const nameLike = (request: ChatRequest, start: string) =>
				(request.tools ?? []).find((tool) => tool.function.name.startsWith(start))?.function.name ??
				`${start}?`;
			model.reset((request) => {
				const answers = toolAnswers(request);
				if (answers.length === 0)
					return { call: nameLike(request, 'Generate'), arguments: { prompt } };
				if (answers.length === 1) {
					const [, taskId] = /"taskId":\s*"([^"]+)"/.exec(answers[0]) ?? [];
					return { call: nameLike(request, 'Wait'), arguments: { taskId } };
				}
				const [, videoUrl] = /"videoUrl":\s*"([^"]+)"/.exec(answers[1]) ?? [];
				return { answer: `Your video is ready: ${videoUrl}` };
			});
			const tool = (name: string, parameters: Record<string, unknown>) =>
				node(
					name,
					'n8n-nodes-seedance.seedanceTool',
					{ resource: 'video', ...parameters },
					{ typeVersion: 1.1, credentials: credentialRef },
				);
			const nodes = [
				manual(),
				node(
					'AI Agent',
					'@n8n/n8n-nodes-langchain.agent',
					{ promptType: 'define', text: `Make a short video of ${prompt}.`, options: {} },
					{ typeVersion: 3 },
				),
				node(
					'OpenAI Chat Model',
					'@n8n/n8n-nodes-langchain.lmChatOpenAi',
					{ model: { __rl: true, mode: 'id', value: 'stand-in-model' }, options: {} },
					{ typeVersion: 1.2, credentials: { openAiApi: { id: MODEL_CREDENTIAL, name: 'Model' } } },
				),
				tool('Generate video', {
					operation: 'generate',
					prompt: "={{ $fromAI('prompt', 'What the video shows', 'string') }}",
					resolution: '480p',
					duration: '4',
				}),
				tool('Wait for video', {
					operation: 'wait',
					taskId: "={{ $fromAI('taskId', 'The task ID Generate answered with', 'string') }}",
					options: { pollInterval: 1 },
				}),
			];
			const to = (type: string) => ({ [type]: [[{ node: 'AI Agent', type, index: 0 }]] });
			await n8n.importWorkflow({
				id: 'e2eAgentTool001',
				name: 'E2E Seedance as AI Agent tools',
				nodes,
				connections: {
					Start: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
					'OpenAI Chat Model': to('ai_languageModel'),
					'Generate video': to('ai_tool'),
					'Wait for video': to('ai_tool'),
				},
				settings: { executionOrder: 'v1' },
				pinData: {},
			});
			const run = await n8n.execute('e2eAgentTool001');
			const failures = Object.entries(run.data.resultData.runData).flatMap(([name, runs]) =>
				runs.flatMap((task) => (task.error ? [`${name}: ${task.error.message}`] : [])),
			);
			expect({ status: run.status, failures }).toEqual({ status: 'success', failures: [] });

			// The model was offered both tools, each with its description and the $fromAI argument.
			const offered = model.requests[0].tools ?? [];
			const generateTool = offered.find((entry) => entry.function.name.startsWith('Generate'));
			const waitTool = offered.find((entry) => entry.function.name.startsWith('Wait'));
			expect(JSON.stringify(generateTool?.function.parameters)).toContain('"prompt"');
			expect(JSON.stringify(waitTool?.function.parameters)).toContain('"taskId"');
			expect(generateTool?.function.description).toBeTruthy();

			// One paid create with the agent's prompt, no download; each tool answer compact.
			expect(emulator.count('create')).toBe(1);
			expect(emulator.count('download')).toBe(0);
			const [task] = [...emulator.tasks.values()];
			expect(task.body.prompt).toBe(prompt);
			expect(model.requests).toHaveLength(3);
			const [created, finished] = toolAnswers(model.requests[2]);
			expect(created).toContain(task.taskId);
			expect(created).toMatch(/"state":\s*"(queued|running)"/);
			expect(finished).toMatch(/"state":\s*"succeeded"/);
			for (const answer of [created, finished]) {
				expect(answer).not.toContain('"raw"');
				expect(answer).not.toContain('binary');
				expect(answer).not.toContain(emulator.apiKey);
			}
			const [, videoUrl] = /"videoUrl":\s*"([^"]+)"/.exec(finished) ?? [];
			expect(outputOf(run.data, 'AI Agent')[0].json.output).toBe(
				`Your video is ready: ${videoUrl}`,
			);
		});
	},
	() => [
		{
			id: MODEL_CREDENTIAL,
			name: 'Model',
			type: 'openAiApi',
			data: { apiKey: model.apiKey, url: model.url, header: false },
		},
	],
);
