// aws-local-stepfunctions (npm) runner: see common.mjs. Fastest settings
// from its README: the definition is validated once (noValidate, since
// Baton validated the same file), one StateMachine serves every execution,
// and run() is called for all of them at once (executions are independent).
import { parseArgs, report, now } from './common.mjs';

const a = parseArgs(process.argv.slice(2));
const { StateMachine } = a.require('aws-local-stepfunctions');
const machine = new StateMachine(a.definition, {
    validationOptions: { noValidate: true },
});
const t0 = now();
const runs = [];
for (let i = 0; i < a.executions; i++) {
    runs.push(machine.run(structuredClone(a.input)).result.then(
        () => 'SUCCEEDED', () => 'FAILED'));
}
const statuses = await Promise.all(runs);
report(a.executions, now() - t0, statuses);
