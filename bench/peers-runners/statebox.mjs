// @wmfs/statebox (npm) runner: see common.mjs. Its default (and fastest)
// store is the in-memory DAO; every execution is started at once and
// awaited with sendResponse COMPLETE, its way to wait for the end.
import { parseArgs, report, now } from './common.mjs';

const a = parseArgs(process.argv.slice(2));
const Statebox = a.require('@wmfs/statebox');
// Its start-up notice goes to messages.info, not to our JSON line.
const statebox = new Statebox({ messages: { info() {} } });
await statebox.ready;
await statebox.createStateMachines({ bench: a.definition }, {});
const t0 = now();
const runs = [];
for (let i = 0; i < a.executions; i++) {
    runs.push(statebox.startExecution(structuredClone(a.input), 'bench', {
        sendResponse: 'COMPLETE',
    }).then((d) => d.status, () => 'FAILED'));
}
const statuses = await Promise.all(runs);
report(a.executions, now() - t0, statuses);
