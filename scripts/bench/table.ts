/** The rows `npm run bench` prints, and the small formatting helpers its sections share. */
export interface Row {
	figure: string;
	value: string;
	target: string;
	/** null: a figure without a target. */
	met: boolean | null;
}

export const rows: Row[] = [];

export const say = (line: string) => console.error(`==> ${line}`);
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
export const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export function printTable(): void {
	const width = Math.max(...rows.map((row) => row.figure.length));
	const valueWidth = Math.max(...rows.map((row) => row.value.length));
	console.log(
		`\nn8n-nodes-seedance benchmark (${new Date().toISOString().slice(0, 10)}, ${process.version}, emulator on loopback)\n`,
	);
	for (const row of rows) {
		const verdict = row.met === null ? '' : row.met ? '  met' : '  NOT MET';
		console.log(
			`  ${row.figure.padEnd(width)}  ${row.value.padEnd(valueWidth)}  ${row.target}${verdict}`,
		);
	}
}
